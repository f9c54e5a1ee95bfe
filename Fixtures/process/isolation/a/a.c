#include <stdint.h>
#include <string.h>

static char secret[64] = "TOPSECRET-7f3a9c";   /* compartment vault's data */
static const char motto[] = "PUBLIC-MOTTO-42";   /* its read-only data: readable unless private_rodata */
static const char *const mottos[] = { motto };    /* read-only after relocation (.data.rel.ro): readable too */

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

uintptr_t a_motto_address(void)
{
    return (uintptr_t)motto;
}

uintptr_t a_mottos_address(void)
{
    return (uintptr_t)mottos;
}

int a_secret_length(void)
{
    return (int)strlen(secret);
}
