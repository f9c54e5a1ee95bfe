#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char vault_data[32] = "vault-data-initial";   /* .data */
static char vault_bss[32];                           /* .bss */
static char *vault_heap;                             /* a block of the heap before main() */

/* Every secret is made at run time (its text is not in the executable), by the constructor: before the
 * compartments' processes exist. */
__attribute__((constructor)) static void vault_setup(void)
{
    char scratch[65536];                              /* deep on the stack, below what later calls use */
    snprintf(scratch + 64, 64, "%s-%d", "VAULT-STACK-SECRET", 44);
    __asm__ volatile("" : : "r"(scratch) : "memory");
    snprintf(vault_data, sizeof vault_data, "%s-%d", "VAULT-DATA-SECRET", 11);
    snprintf(vault_bss, sizeof vault_bss, "%s-%d", "VAULT-BSS-SECRET", 22);
    vault_heap = malloc(64);
    snprintf(vault_heap, 64, "%s-%d", "VAULT-HEAP-SECRET", 33);
    char *freed = malloc(64);
    snprintf(freed + 16, 48, "%s-%d", "VAULT-FREED-SECRET", 55);   /* past what free() overwrites */
    free(freed);
    char *large = malloc(1 << 20);                    /* malloc maps it */
    snprintf(large + 4096, 64, "%s-%d", "VAULT-LARGE-SECRET", 66);
    vault_heap[63] = large[0];
}

uintptr_t vault_data_address(void) { return (uintptr_t)vault_data; }
uintptr_t vault_bss_address(void) { return (uintptr_t)vault_bss; }
int vault_check(void)   /* the secrets are still there: compared with one made again (no literal) */
{
    char expect[64];
    snprintf(expect, sizeof expect, "%s-%d", "VAULT-HEAP-SECRET", 33);
    return strcmp(vault_heap, expect) == 0 && vault_data[0] == 'V' && vault_bss[0] == 'V';
}
