#include <stdio.h>

static int calls;   /* private state: a fresh process starts again from 0 */

int flaky_square(int x)
{
    calls++;
    if (calls == 3) {
        volatile int *null = 0;
        *null = x;                     /* crashes on the 3rd call of each process */
    }
    return x * x;
}
