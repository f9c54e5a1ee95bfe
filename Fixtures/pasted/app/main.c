#include <stdio.h>

#include "num.h"

/* the program's own pasting, as pcre2test does for every call */
#define CALL2(f, a, b) num_##f##_8(a, b)

static int twice(int (*op)(int, int), int x)
{
    return op(x, x);
}

int main(void)
{
    printf("%s: %d\n", num_name(), num_add(2, 3));
    printf("scaled: %ld\n", CALL2(scale, 7L, 6));
    printf("twice: %d\n", twice(num_add, 21));
    return 0;
}
