#include <string.h>

static const char secret[] = "FORGED-SECRET-4d7";

int vault_check(int pin)
{
    return pin == 1234;
}

/* only main may have this: it writes the secret into the caller's (marshalled) buffer */
int vault_export(char *out, int n)
{
    if (n < (int)sizeof secret) return -1;
    memcpy(out, secret, sizeof secret);
    return 0;
}
