#include <stdint.h>
#include <string.h>

static char secret[64] = "TOPSECRET-7f3a9c";   /* compartment vault's data */

int a_private_add(int x, int y)                  /* never gated: only its address escapes, as a number */
{
    return x + y;
}

uintptr_t a_secret_address(void)
{
    return (uintptr_t)secret;
}

uintptr_t a_function_address(void)
{
    return (uintptr_t)&a_private_add;
}

int a_secret_length(void)
{
    return (int)strlen(secret);
}
