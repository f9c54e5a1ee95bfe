#include <string.h>

static int logged_in;

int vault_login(const char *key)
{
    logged_in = strcmp(key, "RESIDUE-KEY-6b2") == 0;
    return logged_in;
}

/* what only a logged-in caller gets: written into its (marshalled) out buffer */
int vault_secret(char *out, int n)
{
    if (!logged_in || n < 20) return -1;
    strcpy(out, "RESIDUE-DATA-6c3");
    return 0;
}
