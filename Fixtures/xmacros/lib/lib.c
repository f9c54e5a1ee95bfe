#include <string.h>

#include "lib.h"

int lib_op(const char *op, int a, int b)
{
    if (strcmp(op, "add") == 0) return a + b;
    if (strcmp(op, "mul") == 0) return a * b;
    return a - b;
}
