/*
 * bh_mpk_unwind.c: longjmp across mpk gates. Part of the runtime copied into every mpk tree.
 */
#include "bh_mpk_internal.h"
/* ---- longjmp across gates ----------------------------------------------------------------------- */

/* The program is linked with -Wl,--wrap for longjmp, _longjmp, siglongjmp and __longjmp_chk, so every jump
 * it makes comes here first. Each gate pushes a record (bh_mpk_frame: the caller's rights, compartment, gate
 * and stack pointer, where the callee's frames begin) on this thread's list before it switches, and pops it
 * when the call returns. A jump finds the stretch of stack its target's frame lies in: the jumping code's
 * own (from its stack pointer up to where the innermost gate's callee began: a plain longjmp), or the
 * caller's side of some active gate; the gates entered after that frame are left: each private gate's stack
 * position is given back and its context freed, and the outermost one's caller is restored: its rights (a
 * compartment's constant, bh_mpk_restore), compartment and gate. The decision runs on a stack of the
 * thread's own on key 0 (its TLS), so that it can switch rights whatever stack it jumped from (a private
 * stack carries its compartment's key). A target in no active frame of this thread is a fault, reported.
 *
 * What a compartment can write is attacker input: a jmp_buf in a compartment's memory is read with that
 * compartment's rights only, and only where that compartment is active on this thread; a jump that leaves a
 * gate must resume in the code of the compartment that called it, with the rights that gate saved, never
 * every right. The records lie in key-0 memory (a light gate's frame), as a light gate's saved rights do:
 * docs/architecture.md ("The mpk backend") says what that leaves open. */
__thread bh_mpk_frame *bh_mpk_frames;

extern void __real_longjmp(struct __jmp_buf_tag *env, int val) __attribute__((weak, noreturn));   /* weak: links without the wrap too */

#define BH_JUMP_STACK 16384
static __thread unsigned char bh_jump_stack[BH_JUMP_STACK] __attribute__((aligned(64)));

/* The compartment whose memory holds `p` (data, bss, private read-only data, heap, private stacks), or -1. */
static int bh_owner_of(uintptr_t p)
{
    const bh_mpk_program *pr = bh_program;
    for (int i = 0; pr && i < pr->ncompartments; i++) {
        const bh_mpk_compartment *c = &pr->compartments[i];
        if ((p >= c->data.start && p < c->data.end) || (p >= c->bss.start && p < c->bss.end)
            || (p >= c->rodata.start && p < c->rodata.end))
            return i;
        { uintptr_t a = bh_arena_start(i + 1); if (a && p >= a && p < a + BH_ARENA_SIZE) return i; }
    }
    return -1;
}

static int bh_compartment_of_pkru(uint32_t pkru)
{
    for (int i = 0; bh_program && i < bh_program->ncompartments; i++)
        if (BH_MPK_PKRU(i) == pkru) return i;
    return -1;
}

/* glibc's PTR_DEMANGLE on x86-64: rotate right by 0x11, then xor with the pointer guard (fs:0x30). */
static uintptr_t bh_demangle(uintptr_t v)
{
    uintptr_t guard;
    __asm__("mov %%fs:0x30, %0" : "=r"(guard));
    v = (v >> 0x11) | (v << (64 - 0x11));
    return v ^ guard;
}

/* The executable's image (GNU ld's default script): a PLT stub and its GOT slot lie in it. */
extern char __executable_start[] __attribute__((weak)), _end[] __attribute__((weak));
static int bh_in_image(uintptr_t a, size_t n)
{
    uintptr_t lo = (uintptr_t)__executable_start, hi = (uintptr_t)_end;
    return lo && hi > lo && a >= lo && a <= hi && n <= hi - a;
}

static int bh_is_setjmp(uintptr_t f)
{
    return f && (f == (uintptr_t)&_setjmp || f == (uintptr_t)&__sigsetjmp || f == (uintptr_t)&setjmp);
}

/* Whether the code at `a` is a PLT stub that jumps to a setjmp entry point: [endbr64] [bnd] jmp *disp32(%rip). */
static int bh_plt_to_setjmp(uintptr_t a)
{
    if (!bh_in_image(a, 16)) return 0;
    const unsigned char *c = (const unsigned char *)a;
    if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) c += 4;
    if (c[0] == 0xf2) c++;
    if (c[0] != 0xff || c[1] != 0x25) return 0;
    int32_t d;
    memcpy(&d, c + 2, sizeof d);
    uintptr_t slot = (uintptr_t)(c + 6) + (intptr_t)d, f;
    if (!bh_in_image(slot, sizeof f)) return 0;
    memcpy(&f, (const void *)slot, sizeof f);
    return bh_is_setjmp(f);
}

/* Whether pc, in compartment c's code, is the return address of a call of setjmp, _setjmp, sigsetjmp or
 * __sigsetjmp (as the process backend's unwind.c checks): what a jmp_buf that the program set holds. */
static int bh_after_setjmp_call(uintptr_t pc, int c)
{
    const bh_mpk_region t = bh_program->compartments[c].text;
    if (pc < t.start + 6 || pc > t.end) return 0;
    const unsigned char *code = (const unsigned char *)pc;
    int32_t d;
    if (code[-5] == 0xe8) {   /* call rel32: to the PLT stub (or the function itself) */
        memcpy(&d, code - 4, sizeof d);
        uintptr_t target = pc + (intptr_t)d;
        if (bh_is_setjmp(target)) return 1;
        if (bh_compartment_of_code((const void *)target) >= 0) return 0;   /* a function of the program's own */
        return bh_plt_to_setjmp(target);
    }
    if (code[-6] == 0xff && code[-5] == 0x15) {   /* call *disp32(%rip) (-fno-plt) */
        memcpy(&d, code - 4, sizeof d);
        uintptr_t slot = pc + (intptr_t)d, f;
        if (!bh_in_image(slot, sizeof f)) return 0;
        memcpy(&f, (const void *)slot, sizeof f);
        return bh_is_setjmp(f);
    }
    return 0;
}

static void bh_jump_fault(int who, const void *env, const char *why) __attribute__((noreturn));
static void bh_jump_fault(int who, const void *env, const char *why)
{
    int gate = bh_mpk_gate;
    bh_die("bulkhead: %s: compartment '%s' made a longjmp to a jmp_buf at %p %s, inside gate '%s'; aborting\n",
           bh_program ? bh_program->program : "?", bh_name(who), env, why,
           gate >= 0 && bh_program && gate < bh_program->ngates ? bh_program->gate_names[gate] : "(none: main)");
}

__attribute__((noreturn, used, visibility("hidden"))) void bh_mpk_unwind(struct __jmp_buf_tag *env, int val, uintptr_t from)
{
    uint32_t pkru = bh_mpk_rdpkru();
    int all = pkru == 0;   /* every right: before isolation */
    int cur = all ? bh_mpk_current : bh_compartment_of_pkru(pkru);
    int owner = bh_owner_of((uintptr_t)env);
    if (!all && owner >= 0 && owner != cur) {
        /* read with the rights of its owner, which must be active on this thread */
        bh_mpk_frame *f = bh_mpk_frames;
        long guard = 0;
        while (f && f->caller != owner && ++guard < (1L << 24)) f = f->outer;
        if (!f || f->caller != owner) bh_jump_fault(cur, env, "in the memory of a compartment that is not active on this thread");
        bh_mpk_restore(BH_MPK_PKRU(owner));
    }
    uintptr_t sp = bh_demangle((uintptr_t)env->__jmpbuf[6]), pc = bh_demangle((uintptr_t)env->__jmpbuf[7]);
    /* the stretch of stack the target lies in: 0, the jumping code's; n, the caller's side of the n-th gate */
    uintptr_t lo = from;
    int where = cur;
    bh_mpk_frame *last = 0, *f = bh_mpk_frames;
    for (long n = 0;; n++) {
        uintptr_t hi = f ? f->top : UINTPTR_MAX;
        if (sp >= lo && sp < hi) break;
        if (!f || n > (1L << 24)) bh_jump_fault(cur, env, "that no active frame of this thread set");
        last = f;
        lo = f->sp;
        where = f->caller;
        f = f->outer;
    }
    if (!all && owner >= 0 && owner != where) bh_jump_fault(cur, env, "in the memory of a compartment whose frame it does not resume");
    if (!last) __real_longjmp(env, val);   /* within the jumping code's own frames */
    if (where < 0 || !bh_program || where >= bh_program->ncompartments || bh_compartment_of_code((const void *)pc) != where
        || !bh_after_setjmp_call(pc, where))
        bh_jump_fault(cur, env, "that resumes outside the code of the compartment that entered the gates it leaves");
    if (last->pkru != BH_MPK_PKRU(where) && !(all && last->pkru == 0))
        bh_jump_fault(cur, env, "over a gate whose saved rights are not its caller's");
    for (bh_mpk_frame *g = bh_mpk_frames, *stop = last->outer; g && g != stop;) {
        bh_mpk_frame *next = g->outer;
        if (g->ctx) {
            if (g->caller >= 0 && g->caller < BH_MPK_MAX_COMPARTMENTS) bh_mpk_sp[g->caller] = g->prev_sp;
            bh_stack_free(g->ctx);
        }
        g = next;
    }
    bh_mpk_frames = last->outer;
    bh_mpk_current = last->caller;
    bh_mpk_gate = last->gate;
    if (last->pkru != 0) bh_mpk_restore(last->pkru);
    __real_longjmp(env, val);
}

/* Every jump moves to the thread's jump stack, then decides there (bh_mpk_unwind). */
__attribute__((noreturn)) void __wrap_longjmp(struct __jmp_buf_tag *env, int val)
{
    uintptr_t top = ((uintptr_t)bh_jump_stack + BH_JUMP_STACK) & ~(uintptr_t)15;
    __asm__ volatile("mov %%rsp, %%rdx\n\tmov %0, %%rsp\n\tcall bh_mpk_unwind\n\tud2"
                     :: "r"(top), "D"(env), "S"(val) : "rdx", "memory");
    __builtin_unreachable();
}
__attribute__((noreturn)) void __wrap__longjmp(struct __jmp_buf_tag *env, int val) { __wrap_longjmp(env, val); }
__attribute__((noreturn)) void __wrap_siglongjmp(struct __jmp_buf_tag *env, int val) { __wrap_longjmp(env, val); }
__attribute__((noreturn)) void __wrap___longjmp_chk(struct __jmp_buf_tag *env, int val) { __wrap_longjmp(env, val); }

