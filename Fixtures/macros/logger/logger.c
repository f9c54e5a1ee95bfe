#include <stdio.h>
#include "api.h"

static int written;

int logger_write(const char *msg)
{
    written++;
    return printf("log[%d]: %s\n", written, msg);
}

int logger_count(void)
{
    return written;
}

/* the same shared macro and inline function, expanded inside the callee's own compartment */
void logger_selftest(void)
{
    int n = LOG_TWICE("twice from logger");
    n += announce("inline from logger");
    printf("selftest wrote %d bytes\n", n);
}
