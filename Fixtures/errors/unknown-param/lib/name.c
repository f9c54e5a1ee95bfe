#include <stdio.h>

/* the gate annotation misspells `buffer` as `bufer` */
int fill_name(char *buffer, size_t size)
{
    return snprintf(buffer, size, "bulkhead");
}
