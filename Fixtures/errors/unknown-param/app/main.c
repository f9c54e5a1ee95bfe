#include <stdio.h>
int fill_name(char *buffer, size_t size);

int main(void)
{
    char name[16];
    fill_name(name, sizeof name);
    puts(name);
    return 0;
}
