/* main's private key store: a library of main's compartment outside `shared.heap`, so its blocks come from
 * the C library's malloc, in main's private memory. */
#include <stdlib.h>
#include <string.h>

static char *key;

void keys_store(const char *k)
{
    key = malloc(40);   /* a chunk of 0x30 bytes */
    strncpy(key, k, 39);
    key[39] = 0;
}

int keys_length(void)
{
    return (int)strlen(key);
}
