#include "jumps.h"

#include <string.h>

int leaf_work(jmp_buf *jb, int n)
{
    char scratch[64];
    memset(scratch, n & 0x7f, sizeof scratch);
    if (n < 0)
        longjmp(*jb, n == -1 ? 0 : -n);
    return n * 2 + scratch[3] - scratch[5];
}

int leaf_sigwork(sigjmp_buf *jb, int n)
{
    if (n < 0)
        siglongjmp(*jb, -n);
    return n * 3;
}

int leaf_each(int (*cb)(int), int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += cb(i);
    return sum;
}

/* `longjmp forged`: as a hostile leaf would, a jmp_buf of its own making, handed to main by a jump */
int leaf_forge(void)
{
    static jmp_buf mine;
    memset(&mine, 0x41, sizeof mine);
    longjmp(mine, 1);
}
