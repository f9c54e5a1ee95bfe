/* Prints "name ns_per_call" for each gate shape, and the cost of two 4 KiB copies for comparison; with the
 * argument "cold", only the empty gate's cost over the 2000 calls that follow the first after start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct s64 { long v[8]; };
void g_void(void);
int g_int(int x);
long g_struct(struct s64 s);
void g_buffer(char *buf);
long g_args3(long a, long b, long c);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "cold") == 0) {
        /* right after start: the first call waits for the compartment to be up; the next 2000, timed */
        g_void();
        double t = now();
        for (int i = 0; i < 2000; i++) g_void();
        printf("gate_void_cold %.2f\n", (now() - t) / 2000 * 1e9);
        return 0;
    }
    long n = argc > 1 ? atol(argv[1]) : 200000;
    static char buf[4096], copy[4096];
    struct s64 s = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
    long acc = 0;
    for (int i = 0; i < 1000; i++) g_void();           /* warm up: threads started, pages touched */
    double t = now();
    for (long i = 0; i < n; i++) g_void();
    printf("gate_void %.2f\n", (now() - t) / n * 1e9);
    t = now();
    for (long i = 0; i < n; i++) acc = g_int((int)acc);
    printf("gate_int %.2f\n", (now() - t) / n * 1e9);
    t = now();
    for (long i = 0; i < n; i++) acc = g_args3(acc, i, 1);
    printf("gate_args3 %.2f\n", (now() - t) / n * 1e9);
    t = now();
    for (long i = 0; i < n; i++) { s.v[0] = i; acc += g_struct(s); }
    printf("gate_struct64 %.2f\n", (now() - t) / n * 1e9);
    t = now();
    for (long i = 0; i < n; i++) g_buffer(buf);
    printf("gate_buffer4k %.2f\n", (now() - t) / n * 1e9);
    t = now();
    for (long i = 0; i < n; i++) {
        memcpy(copy, buf, sizeof buf);
        __asm__ volatile("" ::: "memory");
        memcpy(buf, copy, sizeof buf);
        __asm__ volatile("" ::: "memory");
    }
    printf("two_4k_copies %.2f\n", (now() - t) / n * 1e9);
    return (int)(acc & 1) * 0;
}
