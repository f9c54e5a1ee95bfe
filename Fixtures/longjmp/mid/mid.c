#include "jumps.h"

#include <stdio.h>

int mid_work(jmp_buf *jb, int n)
{
    int r = leaf_work(jb, n);
    return r + 1;
}

int mid_catch(int n)
{
    jmp_buf jb;
    int v = setjmp(jb);
    if (v != 0)
        return 1000 + v;
    return leaf_work(&jb, n);
}

int mid_fail(jmp_buf *jb, int n)
{
    if (n < 0)
        longjmp(*jb, -n);
    return n;
}
