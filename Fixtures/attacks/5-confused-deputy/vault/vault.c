#include <stddef.h>

struct vault { char name[16]; char secret[32]; };
static struct vault the_vault = { "vault", "DEPUTY-SECRET-5a1" };

/* A handle: the address of the vault's private context, as handle-style APIs hand out. */
const void *vault_open(void)
{
    return &the_vault;
}

/* Copies n bytes from in to out, upper-casing letters: a service that trusts its (marshalled) buffers. */
int vault_transform(const char *in, char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 32) : in[i];
    return n;
}
