#include "api.h"

int kr_add(a, b)
    int a;
    int b;
{
    return a + b;
}

long kr_scale OF((long v, int by))
{
    return v * by + kr_add(1, 1);
}
