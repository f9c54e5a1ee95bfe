#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int thief_jump(uintptr_t target, int value);
char *thief_label(void);
void thief_peek(void);
void keys_store(const char *k);
int keys_length(void);
void thief_target(uintptr_t target);
int vault_transfer(int amount);
int vault_total(void);
void thief_keep(jmp_buf *jb, uintptr_t pc);

/* Code that no setjmp returns to. */
__attribute__((noinline)) void grant_admin(void)
{
    printf("main: grant_admin() reached by main's own longjmp\n");
    fflush(stdout);
    exit(67);
}

/* main's own error path jumps to a jmp_buf whose address it lent the thief. */
__attribute__((noinline)) static int own_jump(void)
{
    jmp_buf jb;
    int v = setjmp(jb);
    if (v != 0)
        return v;
    thief_keep(&jb, (uintptr_t)grant_admin);
    longjmp(jb, 5);
}

static jmp_buf setup_jb;   /* main's private bss: out of the thief's reach */

/* Sets setup_jb and returns: from then on no frame can resume it. */
__attribute__((noinline)) static int setup(void)
{
    int v = setjmp(setup_jb);
    if (v != 0) {
        printf("main: setup() resumed after it returned, with value %d%s\n", v,
               v == 1337 ? ": granting the admin role" : "");
        fflush(stdout);
        exit(66);
    }
    return 1;
}

__attribute__((noinline)) static int active(void)
{
    jmp_buf jb;
    int v = setjmp(jb);
    if (v != 0)
        return v;
    return thief_jump((uintptr_t)&jb, 7);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "stale") == 0) {
        printf("main: setup %d\n", setup());
        fflush(stdout);
        int r = thief_jump((uintptr_t)&setup_jb, 1337);
        printf("main: the thief returned %d\n", r);
    } else if (strcmp(mode, "active") == 0) {
        printf("main: active frame resumed with %d\n", active());
    } else if (strcmp(mode, "free") == 0) {
        char *label = thief_label();
        printf("main: label '%s'\n", label);
        free(label);   /* app allocates from the shared heap: bh_shared_free */
        keys_store("MAIN-PRIVATE-KEY-42");
        printf("main: key of %d bytes stored\n", keys_length());
        fflush(stdout);
        thief_peek();
    } else if (strcmp(mode, "through") == 0) {
        jmp_buf jb;
        printf("main: ledger total %d\n", vault_total());
        if (setjmp(jb) == 0) {
            thief_target((uintptr_t)&jb);
            vault_transfer(30);
            printf("main: transfer done\n");
        } else {
            printf("main: the transfer failed\n");
        }
        printf("main: ledger total %d\n", vault_total());
    } else if (strcmp(mode, "moved") == 0) {
        printf("main: own jump resumed with %d\n", own_jump());
    } else {
        fprintf(stderr, "usage: secondreview stale|active|free|through|moved\n");
        return 2;
    }
    printf("done\n");
    return 0;
}
