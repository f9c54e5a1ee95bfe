#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static char vault_secret[32];   /* written at run time: only vault's process ever holds it */

void vault_fill(void)
{
    snprintf(vault_secret, sizeof vault_secret, "%s-%d", "VAULT-SECRET", 5678);
}

uintptr_t vault_address(void)
{
    return (uintptr_t)vault_secret;
}

int vault_intact(void)
{
    return vault_secret[0] == 'V';
}

int vault_pid(void)
{
    return getpid();
}
