#include <stdio.h>
#include <string.h>

int lib_write(FILE *f, const char *s);
FILE *lib_open(const char *path);
int lib_close(FILE *f);

int main(int argc, char **argv)
{
    lib_write(stdout, "to stdout from the library\n");
    FILE *own = lib_open("streams-lib.txt");      /* the library's stream, handed back to it */
    lib_write(own, "line in the library's file\n");
    lib_close(own);
    if (argc > 1 && strcmp(argv[1], "main-file") == 0) {
        FILE *f = fopen("streams-main.txt", "w");  /* main's stream, passed to the library */
        lib_write(f, "line in main's file\n");
        fclose(f);
    }
    printf("done\n");
    return 0;
}
