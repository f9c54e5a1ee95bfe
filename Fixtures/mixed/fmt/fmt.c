#include <stdio.h>
#include <unistd.h>
#include "../app/api.h"

static int calls;   /* tools' own state: one copy, in the main process */

int fmt_hex(char *out, size_t n, unsigned v)
{
    calls++;
    return snprintf(out, n, "0x%x (call %d)", v, calls);
}

long fmt_pid(void)
{
    return (long)getpid();
}
