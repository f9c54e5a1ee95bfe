#include <stdio.h>
#include <stdlib.h>

int table_peek(int i);

int main(int argc, char **argv)
{
    int i = argc > 1 ? atoi(argv[1]) : 3;
    printf("peek %d: %d\n", i, table_peek(i));
    return 0;
}
