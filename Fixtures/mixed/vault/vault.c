#include <string.h>
#include <unistd.h>
#include "../app/api.h"

static char secret[64] = "MIXED-SECRET-4d2";   /* safe's data */

unsigned vault_token(void)
{
    return 1234567u;
}

long vault_pid(void)
{
    return (long)getpid();
}

uintptr_t vault_secret_address(void)
{
    return (uintptr_t)secret;
}

int vault_secret_length(void)
{
    return (int)strlen(secret);
}
