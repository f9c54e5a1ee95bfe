/* The floors a process gate is compared with, measured in the same run: a direct call, a getppid system
 * call, and a round trip between two processes over shared memory (spinning: with pause or tight polling,
 * with no work or 10 ns of work per side), over a futex (sleeping) and over a pair of pipes. Prints
 * "name ns_per_round_trip" lines. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((noinline)) static int direct(int x) { __asm__ volatile(""); return x + 1; }

static void futex_wait(_Atomic int *w, int v) { syscall(SYS_futex, w, FUTEX_WAIT, v, 0, 0, 0); }
static void futex_wake(_Atomic int *w) { syscall(SYS_futex, w, FUTEX_WAKE, 1, 0, 0, 0); }

/* n round trips between two processes that sleep on a futex; ns per round trip */
static double futex_pingpong(_Atomic int *turn, long n)
{
    *turn = 0;
    pid_t p = fork();
    if (p == 0) {
        for (long i = 0; i < n; i++) {
            while (atomic_load(turn) != 1) futex_wait(turn, 0);
            atomic_store(turn, 0);
            futex_wake(turn);
        }
        _exit(0);
    }
    double t = now();
    for (long i = 0; i < n; i++) {
        atomic_store(turn, 1);
        futex_wake(turn);
        while (atomic_load(turn) != 0) futex_wait(turn, 1);
    }
    t = (now() - t) / n * 1e9;
    waitpid(p, 0, 0);
    return t;
}

/* Iterations of work()'s loop per ns on this machine, measured at start (about 4 on the test machine). */
static double loop_rate = 4;

/* About `ns` nanoseconds of work that touches no shared memory. */
static void work(int ns)
{
    for (int k = 0; k < (int)(loop_rate * ns); k++) __asm__ volatile("");
}

static void calibrate_work(void)
{
    int n = 50000000;
    double t = now();
    for (int k = 0; k < n; k++) __asm__ volatile("");
    loop_rate = n / ((now() - t) * 1e9);
}

/* The pause instruction's latency, which sets the pace of a spin ping-pong that polls with it. */
static double pause_ns(void)
{
    long n = 1000000;
    double t = now();
    for (long i = 0; i < n; i++) __builtin_ia32_pause();
    return (now() - t) / n * 1e9;
}

/* Where the CPU and kernel offer protection keys: a round trip through a protection domain by two WRPKRU
 * writes, the floor of an MPK gate (the mpk backend is not built yet). 0 where there are none. */
static double pkru_switch_ns(void)
{
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    if (!(c & (1u << 4)))  /* OSPKE: protection keys on, and enabled by the kernel */
        return 0;
    unsigned pkru;
    __asm__ volatile("rdpkru" : "=a"(pkru) : "c"(0) : "rdx");
    long n = 10000000;
    int acc = 0;
    double t = now();
    for (long i = 0; i < n; i++) {
        __asm__ volatile("wrpkru" :: "a"(pkru | 0xC), "c"(0), "d"(0) : "memory");  /* key 1 off: the callee's */
        acc = direct(acc);
        __asm__ volatile("wrpkru" :: "a"(pkru), "c"(0), "d"(0) : "memory");
    }
    __asm__ volatile("" :: "r"(acc));
    return (now() - t) / n * 1e9;
}

/* Waits between two polls: the pause instruction (tight == 0), or an lfence, which lets one load run at a
 * time without pause's delay (23 ns on the test machine; the process gate polls this way at first). */
static void poll_wait(int tight)
{
    if (tight) __asm__ volatile("lfence" ::: "memory");
    else __builtin_ia32_pause();
}

/* n round trips between two processes that spin on a shared word, each side doing `ns` ns of work before it
 * answers (a gate's stub and dispatch do some); ns per round trip. With pause polling and no work, the two
 * sides fall into step with the pause period; any work breaks that step. */
static double spin_pingpong(_Atomic int *turn, long n, int tight, int ns)
{
    *turn = 0;
    pid_t p = fork();
    if (p == 0) {
        for (long i = 0; i < n; i++) {
            while (atomic_load_explicit(turn, memory_order_acquire) != 1) poll_wait(tight);
            work(ns);
            atomic_store_explicit(turn, 0, memory_order_release);
        }
        _exit(0);
    }
    double t = now();
    for (long i = 0; i < n; i++) {
        work(ns);
        atomic_store_explicit(turn, 1, memory_order_release);
        while (atomic_load_explicit(turn, memory_order_acquire) != 0) poll_wait(tight);
    }
    t = (now() - t) / n * 1e9;
    waitpid(p, 0, 0);
    return t;
}

/* With the argument "futex", only a short futex ping-pong: the baseline of a gate's sleeping path measured
 * right after it, since on a VM a futex wake costs 4 or 40 us depending on whether the other vCPU halted. */
int main(int argc, char **argv)
{
    if (argc > 1 && argv[1][0] == 'f') {
        _Atomic int *w = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        printf("futex_pingpong %.2f\n", futex_pingpong(w, 5000));
        return 0;
    }
    calibrate_work();
    long n = 2000000;
    int acc = 0;
    double t = now();
    for (long i = 0; i < n; i++) acc = direct(acc);
    printf("direct_call %.2f\n", (now() - t) / n * 1e9);
    printf("pause %.2f\n", pause_ns());
    printf("pkru_switch %.2f\n", pkru_switch_ns());

    n = 1000000;
    t = now();
    for (long i = 0; i < n; i++) acc += (int)syscall(SYS_getppid);
    printf("getppid %.2f\n", (now() - t) / n * 1e9);

    _Atomic int *turn = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    printf("spin_pingpong %.2f\n", spin_pingpong(turn, 200000, 0, 0));
    printf("spin_pingpong_work %.2f\n", spin_pingpong(turn, 200000, 0, 10));
    printf("spin_pingpong_tight %.2f\n", spin_pingpong(turn, 200000, 1, 0));
    printf("spin_pingpong_tight_work %.2f\n", spin_pingpong(turn, 200000, 1, 10));
    printf("futex_pingpong %.2f\n", futex_pingpong(turn, 50000));

    int a[2], b[2];
    if (pipe(a) || pipe(b)) return 1;
    n = 50000;
    pid_t p = fork();
    char c = 0;
    if (p == 0) {
        for (long i = 0; i < n; i++) {
            if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1) _exit(1);
        }
        _exit(0);
    }
    t = now();
    for (long i = 0; i < n; i++) {
        if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1) return 1;
    }
    printf("pipe_pingpong %.2f\n", (now() - t) / n * 1e9);
    waitpid(p, 0, 0);
    return acc == 42;
}
