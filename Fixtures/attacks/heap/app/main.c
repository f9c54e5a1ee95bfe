#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *thief_spare(void);
int thief_lock_start(uintptr_t target, uintptr_t value);
long thief_lock_stop(void);
void thief_free(char *block);
void thief_forge_size(char *block);
int thief_crash(void);

#define INTACT 0x4d41494e5f574f52ull
static volatile uintptr_t main_word = INTACT;   /* main's private data */

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "lock") == 0) {
        char *value = thief_spare();
        int started = thief_lock_start((uintptr_t)&main_word, (uintptr_t)value);
        long i = 0;
        for (; i < 2000000 && main_word == INTACT; i++) {
            char *volatile p = malloc(32);
            free(p);
        }
        thief_lock_stop();
        printf("thief: %s\n", started ? "lock found" : "no lock in shared memory");
        printf("main's private word: %s\n", main_word == INTACT ? "intact" : "WRITTEN BY THE THIEF");
    } else if (strcmp(mode, "overlap") == 0) {
        char *a = malloc(48);
        strcpy(a, "MAIN-BLOCK-A");
        thief_free(a);
        char *b = malloc(48);
        strcpy(b, "MAIN-BLOCK-B");
        printf("blocks overlap: %s\n", a == b ? "yes" : "no");
        printf("a: %s\n", a);
    } else if (strcmp(mode, "grow") == 0) {
        char *pad = malloc(32), *a = malloc(32), *b = malloc(32);
        strcpy(a, "MAIN-BLOCK-A");
        strcpy(b, "MAIN-BLOCK-B");
        thief_forge_size(a);
        char *grown = realloc(a, 4096);
        memset(grown + 32, 'X', 4096 - 32);   /* main uses what it was given */
        printf("grown in place: %s\n", grown == a ? "yes" : "no");
        printf("b: %.12s\n", b);
        free(pad);
    } else if (strcmp(mode, "restart") == 0) {
        char *kept = thief_spare();
        strcpy(kept, "KEPT-BY-MAIN");
        printf("crash: %d\n", thief_crash());
        char *next = thief_spare();   /* from the thief's new process */
        if (next) strcpy(next, "THE-NEW-PROCESS");
        printf("after the restart: %s; kept: %s\n", next == kept ? "the same block" : "another block", kept);
    }
    printf("done\n");
    return 0;
}
