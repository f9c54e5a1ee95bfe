#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void vault_fill(void);
uintptr_t vault_address(void);
int vault_pid(void);
int vault_intact(void);
int evil_procmem(int pid, uintptr_t addr, int write);
int evil_vmread(int pid, uintptr_t addr);
int evil_ptrace(int pid, uintptr_t addr);
int evil_dumpable(void);

static char main_secret[32];       /* main's, written at run time */
static char main_ctor_secret[32];  /* main's, written by a constructor: the zygote has a copy */

__attribute__((constructor)) static void remember(void)
{
    snprintf(main_ctor_secret, sizeof main_ctor_secret, "%s-%d", "MAIN-CTOR-SECRET", 4321);
}

int main(int argc, char **argv)
{
    snprintf(main_secret, sizeof main_secret, "%s-%d", "MAIN-SECRET", 1234);
    vault_fill();
    const char *mode = argc > 1 ? argv[1] : "";
    uintptr_t mine = (uintptr_t)main_secret;
    if (strcmp(mode, "procmem-main") == 0) evil_procmem(getpid(), mine, 1);
    else if (strcmp(mode, "procmem-zygote") == 0) evil_procmem(0, (uintptr_t)main_ctor_secret, 1);
    else if (strcmp(mode, "procmem-vault") == 0) evil_procmem(vault_pid(), vault_address(), 1);
    else if (strcmp(mode, "vmread-main") == 0) evil_vmread(getpid(), mine);
    else if (strcmp(mode, "vmread-vault") == 0) evil_vmread(vault_pid(), vault_address());
    else if (strcmp(mode, "ptrace-main") == 0) evil_ptrace(getpid(), mine);
    else if (strcmp(mode, "ptrace-vault") == 0) evil_ptrace(vault_pid(), vault_address());
    else if (strcmp(mode, "dumpable") == 0) evil_dumpable();
    printf("main's secret %s\n", strcmp(main_secret, "MAIN-SECRET-1234") == 0 ? "intact" : "CHANGED");
    printf("vault's secret %s\n", vault_intact() ? "intact" : "CHANGED");
    return 0;
}
