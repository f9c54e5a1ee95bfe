#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int calls;

long worker_parse(const char *text)
{
    calls++;
    printf("\n  worker: call %d parses '%s'\n", calls, text);
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text) errno = EINVAL;
    return v;
}

void worker_report(int step)
{
    printf("  worker: report %d (buffered)", step);
    fprintf(stderr, "  worker: stderr line %d\n", step);
    printf("\n");
}

void worker_finish(int status)
{
    printf("\n  worker: exiting with %d, output still buffered", status);
    exit(status);
}
