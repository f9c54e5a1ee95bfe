#include <stdio.h>
#include <string.h>

static struct {
    char name[16];
    int admin;   /* set by nobody: only an overflow of name reaches it */
    int pad;
} account = { "guest", 0, 0 };

/* Gate 0 (names sort first): only main calls it. */
void erase_vault(void)
{
    printf("vault: erased on main's request\n");
    fflush(stdout);
}

int vault_check(int pin)
{
    return pin == 1234;
}

/* Checks the name's length, then copies it: a string read twice. */
int vault_rename(const char *name)
{
    if (strlen(name) >= sizeof account.name) return -1;
    for (volatile int i = 0; i < 200; i++) { }   /* the audit log, say */
    __asm__ __volatile__("" ::: "memory");      /* (so that the compiler does not reuse the length) */
    strcpy(account.name, name);
    return 0;
}

int vault_is_admin(void)
{
    return account.admin != 0;
}
