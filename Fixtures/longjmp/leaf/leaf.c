#include "jumps.h"

#include <stdint.h>
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

/* `longjmp hijack`: as a hostile leaf would, main's jmp_buf (on the shared stack: its address crossed)
 * rewritten to resume one byte past where main's setjmp returns (every process shares main's pointer
 * guard, so the leaf can demangle and mangle), then jumped to */
int leaf_hijack(jmp_buf *jb)
{
    uintptr_t guard, w[8];
    __asm__("mov %%fs:0x30, %0" : "=r"(guard));
    memcpy(w, (*jb)[0].__jmpbuf, sizeof w);
    uintptr_t pc = ((w[7] >> 0x11) | (w[7] << (64 - 0x11))) ^ guard;
    pc = (pc + 1) ^ guard;
    w[7] = (pc << 0x11) | (pc >> (64 - 0x11));
    memcpy((*jb)[0].__jmpbuf, w, sizeof w);
    longjmp(*jb, 1);
}
