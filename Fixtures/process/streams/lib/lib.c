#include <stdio.h>

int lib_write(FILE *f, const char *s)
{
    return fputs(s, f);
}

FILE *lib_open(const char *path)
{
    return fopen(path, "w");
}

int lib_close(FILE *f)
{
    return fclose(f);
}
