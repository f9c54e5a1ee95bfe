#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lib_work(int x);
void lib_quit(int status);

/* called back from the library's exit handler */
void app_note(const char *what)
{
    printf("app note: %s\n", what);
}

static void main_bye(void)
{
    printf("main atexit\n");
}

static void main_late(void)
{
    printf("main atexit, registered last\n");
}

static void main_on_exit(int status, void *arg)
{
    printf("main on_exit: status %d, %s\n", status, (const char *)arg);
}

__attribute__((destructor)) static void main_dtor(void)
{
    printf("main destructor\n");
}

int main(int argc, char **argv)
{
    atexit(main_bye);
    on_exit(main_on_exit, "main's argument");
    printf("work %d\n", lib_work(2));
    printf("work %d\n", lib_work(3));
    atexit(main_late);
    if (argc > 1 && strcmp(argv[1], "exit") == 0) lib_quit(3);
    printf("main returns\n");
    return 0;
}
