#include <stdio.h>

#include "lib.h"

#define OP(name) static int twice_##name(int a, int b) { return 2 * bh_gate_lib_op(#name, a, b); }
extern __typeof__(lib_op) bh_gate_lib_op;
#include "ops.h"
#undef OP

static const struct { const char *name; int (*fn)(int, int); } table[] = {
#define OP(name) { #name, twice_##name },
#include "ops.h"
#undef OP
};

int main(void)
{
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        printf("%s: %d\n", table[i].name, table[i].fn(7, 3));
    return 0;
}
