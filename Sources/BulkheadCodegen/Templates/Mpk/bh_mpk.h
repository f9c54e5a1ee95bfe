/*
 * bh_mpk.h: the contract between the C that `bulkhead build` generates for the mpk backend (gate stubs in
 * the program's units, bh/bh_program.c) and the mpk runtime (bh/bh_mpk_runtime.c). Both runtime files are
 * copied into every mpk tree and compiled with the program: the executable links only the C library.
 *
 * Keys: compartment i (0 = the default one) gets protection key i + 1; key 0, which the kernel gives every
 * page by default, is the shared key (stacks, shared globals, the shared heap, the C library's data). The
 * rights register (PKRU) of compartment i therefore denies every key but 0 and i + 1: BH_MPK_PKRU(i), a
 * constant known when the program is built, so that every write of PKRU in a gate is checked against a
 * constant in code that nothing can change.
 */
#ifndef BH_MPK_H
#define BH_MPK_H

#include <stddef.h>
#include <stdint.h>

#define BH_MPK_MAX_COMPARTMENTS 15
#define BH_MPK_PKRU(i) (0xfffffffcu & ~(3u << (2 * ((i) + 1))))

typedef struct { uintptr_t start, end; } bh_mpk_region;

typedef struct {
    const char *name;
    /* code, read-only data (empty unless private_rodata), data, bss: bh/bulkhead.ld's sections */
    bh_mpk_region text, rodata, data, bss;
    /* its destructors (.fini_array), run by the runtime with its rights */
    bh_mpk_region fini;
} bh_mpk_compartment;

typedef struct {
    const char *program;
    int ncompartments;
    const bh_mpk_compartment *compartments;
    int ngates;
    const char *const *gate_names;
    /* shared.globals (section bh_shared.*): key 0, writable (the linker may place it in the RELRO segment) */
    bh_mpk_region shared;
} bh_mpk_program;

/* Called by bh/bh_program.c's constructor, before the program's own constructors. */
void bh_mpk_start(const bh_mpk_program *program);
/* A gate entered with the rights of a compartment the plan does not let call it: reported, then abort. */
void bh_mpk_refused(int gate, uint32_t pkru) __attribute__((noreturn));
/* bh/bh_program.c: writes PKRU from a variable, then checks the value against every legitimate one. */
void bh_mpk_restore(uint32_t pkru);

/* The compartment this thread runs in and the gate it entered last (for fault reports only: code in a
 * compartment can write both). */
extern __thread int bh_mpk_current;
extern __thread int bh_mpk_gate;

/* The shared heap (key 0): marshalled copies, and the libraries listed in shared.heap. */
void *bh_shared_malloc(size_t n);
void *bh_shared_calloc(size_t n, size_t size);
void *bh_shared_realloc(void *p, size_t n);
void bh_shared_free(void *p);
void *bh_stack_alloc(size_t n, size_t align);
/* Private gates: where compartment k's frames go on this thread, and a call on another stack. */
extern __thread uintptr_t bh_mpk_sp[BH_MPK_MAX_COMPARTMENTS];
uintptr_t bh_mpk_stack_top(int k);
void bh_stack_free(void *p);

/* One gate active on this thread, for a longjmp that leaves it (bh_mpk_runtime.c, "longjmp"): a light gate's
 * record lies in its frame, a private gate's in its context on the shared heap (key 0: where the longjmp's
 * runtime can read it with whatever rights the jumping code has). */
typedef struct bh_mpk_frame {
    struct bh_mpk_frame *outer;
    uintptr_t sp;       /* the stack pointer in the gate: the caller's frames lie at and above */
    uintptr_t top;      /* where the callee's frames begin (below): sp for a light gate, the private stack's top */
    uintptr_t prev_sp;  /* a private gate: bh_mpk_sp[caller] before the call */
    void *ctx;          /* a private gate: its context, freed when a jump leaves the gate */
    uint32_t pkru;      /* the caller's rights */
    int caller, gate, callee;
} bh_mpk_frame;
extern __thread bh_mpk_frame *bh_mpk_frames;

static inline uint32_t bh_mpk_rdpkru(void)
{
    uint32_t eax, edx;
    __asm__ volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
    return eax;
}

/* Grants the rights of compartment `value`'s constant: WRPKRU, then the value is compared with the same
 * constant (a jump straight to the WRPKRU with another value in EAX stops at ud2), and the caller-saved
 * registers that could carry the other side's data are cleared. Only in gate stubs (section bh_gate_text,
 * the one place the build's scan allows WRPKRU). */
#define BH_MPK_SWITCH(value) \
    __asm__ volatile("mov %0, %%eax\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\twrpkru\n\tcmp %0, %%eax\n\tje 1f\n\tud2\n1:\n\t" \
                     "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%r8d, %%r8d\n\txor %%r9d, %%r9d\n\t" \
                     "xor %%r10d, %%r10d\n\txor %%r11d, %%r11d" \
                     :: "i"(value) : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc")

#endif
