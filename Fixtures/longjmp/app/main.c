#include "jumps.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static jmp_buf top;          /* in main's own memory: out of every other compartment's reach */
static jmp_buf never;        /* never set: a jump to it is a fault */
static jmp_buf *cb_target;

static int one_level(int n)
{
    int v = setjmp(top);
    if (v != 0)
        return -v;
    return leaf_work(&top, n);
}

static int nested(int n)
{
    jmp_buf jb;              /* its address crosses a gate: it moves to the shared stack */
    volatile int depth = 0;
    int v = setjmp(jb);
    if (v != 0)
        return -100 * v - depth;
    depth = 1;
    return mid_work(&jb, n);
}

static int fortified(int n)
{
    jmp_buf jb;
    int v = setjmp(jb);
    if (v != 0)
        return -v;
    return mid_fail(&jb, n);
}

static int sig(int n)
{
    sigjmp_buf jb;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    int v = sigsetjmp(jb, 1);
    if (v != 0) {
        sigset_t now;
        sigprocmask(SIG_BLOCK, NULL, &now);
        return -v * 10 - sigismember(&now, SIGUSR1);   /* the mask as sigsetjmp saved it: unblocked */
    }
    sigprocmask(SIG_BLOCK, &set, NULL);
    int r = leaf_sigwork(&jb, n);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    return r;
}

static int jumping_callback(int i)
{
    if (i == 3)
        longjmp(*cb_target, 42);
    return i;
}

static int through_callback(int n)
{
    jmp_buf jb;
    cb_target = &jb;
    int v = setjmp(jb);
    if (v != 0)
        return -v;
    return leaf_each(jumping_callback, n);
}

static void *worker(void *arg)
{
    long id = (long)arg;
    long sum = 0;
    for (int i = 0; i < 300; i++) {
        jmp_buf jb;
        int v = setjmp(jb);
        if (v != 0) {
            sum += v;
            continue;
        }
        int n = (int)((i + id) % 3 == 0 ? -(id + 2) : i);
        sum += (i & 1) ? mid_work(&jb, n) : leaf_work(&jb, n);
    }
    return (void *)sum;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "bogus") == 0) {
        printf("bogus: %d\n", leaf_work(&never, -7));
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "forged") == 0) {
        printf("forged: %d\n", leaf_forge());
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "hijack") == 0) {
        jmp_buf jb;
        if (setjmp(jb) != 0) {
            printf("hijacked\n");
            return 0;
        }
        printf("hijack: %d\n", leaf_hijack(&jb));
        return 0;
    }
    for (int round = 0; round < 3; round++) {
        printf("one level: %d %d %d\n", one_level(5), one_level(-3), one_level(-1));
        printf("nested: %d %d\n", nested(4), nested(-6));
        printf("caught in mid: %d %d\n", mid_catch(7), mid_catch(-8));
        printf("fortified: %d %d\n", fortified(9), fortified(-9));
        printf("siglongjmp: %d %d\n", sig(2), sig(-4));
        printf("callback: %d %d\n", through_callback(3), through_callback(10));
    }
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d: %ld\n", i, (long)r);
    }
    return 0;
}
