#include "num.h"

int num_add(int a, int b)
{
    return a + b;
}

long num_scale(long v, int by)
{
    return v * by;
}

const char *num_name(void)
{
    return "num-8";
}
