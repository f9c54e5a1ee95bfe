#include <stdio.h>
int lib_twice(int x);
int more_thrice(int x);
int main(void)
{
    printf("%d %d\n", lib_twice(2), more_thrice(3));
    return 0;
}
