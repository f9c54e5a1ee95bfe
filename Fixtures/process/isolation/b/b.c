#include <stdint.h>
#include <stdio.h>

int b_peek(uintptr_t address, int n)
{
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
