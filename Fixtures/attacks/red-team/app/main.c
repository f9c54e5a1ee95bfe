#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void erase_vault(void);
int vault_check(int pin);
int thief_inject(void);
int thief_race(void);
const char *thief_name(uintptr_t target);
void thief_greet(const char *s);
int thief_exits(void);
int thief_rewind(void);

static char motto[64] = "MAIN-MOTTO-SECRET-r7";   /* main's private data */

static void *checks(void *arg)
{
    long ok = 0;
    for (int i = 0; i < 2000; i++) ok += vault_check(1234) == 1;
    return (void *)ok;
}

static void saved(void)
{
    printf("main: state saved\n");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (argc > 5) erase_vault();   /* never: main's gate to erase_vault is there, unused */
    atexit(saved);
    printf("check: %d\n", vault_check(1234));
    if (strcmp(mode, "inject") == 0) {
        printf("inject: %d\n", thief_inject());
    } else if (strcmp(mode, "string") == 0) {
        printf("race: %d\n", thief_race());
    } else if (strcmp(mode, "result") == 0) {
        thief_greet("hello");
        const char *name = thief_name((uintptr_t)motto);
        thief_greet(name);   /* main hands back what it got */
    } else if (strcmp(mode, "channels") == 0) {
        printf("rewind: %d\n", thief_rewind());
        pthread_t t;
        pthread_create(&t, NULL, checks, NULL);   /* a new thread: a channel of its own */
        long ok = (long)checks(NULL);
        void *other;
        pthread_join(t, &other);
        printf("checks: %ld of 4000\n", ok + (long)other);
    } else if (strcmp(mode, "exits") == 0) {
        printf("exits: %d\n", thief_exits());
    }
    printf("done\n");
    return 0;
}
