/* error: reads `counter`, defined in lib/b.c (compartment "other"); not in shared.globals */
#include <stdio.h>
extern int counter;
int bump(void);

int main(void)
{
    bump();
    int v = counter;
    printf("%d\n", v);
    return 0;
}
