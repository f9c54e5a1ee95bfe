#include <stdio.h>
#include <stdlib.h>

void app_note(const char *what);

static int calls;
static FILE *log_file;

static void lib_constructor_bye(void)
{
    printf("lib atexit from its constructor\n");
}

__attribute__((constructor)) static void lib_constructor(void)
{
    atexit(lib_constructor_bye);
}

static void lib_bye(void)
{
    printf("lib atexit: %d calls\n", calls);
    app_note("from the library's exit handler");
}

static void lib_on_exit(int status, void *arg)
{
    printf("lib on_exit: status %d, %s\n", status, (const char *)arg);
}

__attribute__((destructor)) static void lib_destructor(void)
{
    printf("lib destructor: %d calls\n", calls);
    if (log_file) fprintf(log_file, "closing after %d calls\n", calls);   /* never closed: exit flushes it */
}

int lib_work(int x)
{
    if (calls++ == 0) {
        atexit(lib_bye);
        on_exit(lib_on_exit, "the library's argument");
        log_file = fopen("exits.log", "w");
    }
    if (log_file) fprintf(log_file, "work %d\n", x);
    return x * 10;
}

void lib_quit(int status)
{
    printf("lib calls exit(%d)\n", status);
    exit(status);
}
