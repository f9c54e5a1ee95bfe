#include <stdlib.h>
#include <string.h>

/* A copy of the name, for the caller to free. */
char *lib_name(int n)
{
    return n % 2 ? strdup("odd-name") : strndup("even-name-and-more", 9);
}

/* Frees a string the caller duplicated, after reading it. */
size_t lib_take(char *s)
{
    size_t n = strlen(s);
    free(s);
    return n;
}
