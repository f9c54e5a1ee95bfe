#include "num.h"

int num_add_8(int a, int b)
{
    return a + b;
}
