#include <stdint.h>
#include <stdio.h>
#include <string.h>

uintptr_t vault_data_address(void);
uintptr_t vault_bss_address(void);
int vault_check(void);
int evil_peek(uintptr_t addr);
int evil_selfmem(uintptr_t addr);
int evil_scan(void);

static char main_bss[32];   /* main's, written by its constructor */

__attribute__((constructor)) static void main_setup(void)
{
    snprintf(main_bss, sizeof main_bss, "%s-%d", "MAIN-BSS-SECRET", 77);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "peek-data") == 0) evil_peek(vault_data_address());
    else if (strcmp(mode, "peek-bss") == 0) evil_peek(vault_bss_address());
    else if (strcmp(mode, "peek-main") == 0) evil_peek((uintptr_t)main_bss);
    else if (strcmp(mode, "selfmem-data") == 0) evil_selfmem(vault_data_address());
    else if (strcmp(mode, "selfmem-main") == 0) evil_selfmem((uintptr_t)main_bss);
    else if (strcmp(mode, "scan") == 0) evil_scan();
    printf("vault %s, main %s\n", vault_check() ? "intact" : "BROKEN", strncmp(main_bss, "MAIN-BSS-", 9) == 0 ? "intact" : "BROKEN");
    return 0;
}
