#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

int b_peek(uintptr_t address, int n)
{
    /* memory of its own where the address points, if that is free here: a compartment's own mappings must
     * never sit where another's are, or the read below would silently read them instead of faulting */
    mmap((void *)(address & ~(uintptr_t)4095), 4096, PROT_READ | PROT_WRITE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    const char *p = (const char *)address;
    int sum = 0;
    for (int i = 0; i < n; i++) sum += p[i];       /* reads another compartment's memory */
    printf("thief read: %.*s (sum %d)\n", n, p, sum);
    return sum;
}

int b_call(uintptr_t address)
{
    int (*f)(int, int) = (int (*)(int, int))address; /* bypasses the gates */
    return f(2, 3);
}
