/*
 * unwind.c: longjmp across gates (process backend).
 *
 * A partitioned program is linked with -Wl,--wrap for longjmp, _longjmp, siglongjmp and __longjmp_chk, so
 * every jump the program makes comes here first. A jump whose target is a frame of the running call (below
 * the innermost served frame on this thread's stack) is the C library's, unchanged. A jump made while this
 * thread serves a call from another compartment, to a target outside that call, ends the served call: the
 * entry's frames are left (a __builtin_longjmp to the serve context that bh_serve_entry set up) and serve()
 * answers the caller with BH_ST_UNWOUND, the jmp_buf's address and the value in the frame's header. The
 * caller's bh_call hands that to bh_unwind_arrived, which frees the frame and decides again, in the
 * caller's process: a target in an active frame of its own is jumped to with the C library's longjmp; one
 * beyond the call this thread serves goes on to that call's caller the same way; anything else is a fault
 * of the callee, reported, and the program ends.
 *
 * What a callee says is attacker input. The caller jumps only with a jmp_buf it can read in memory that is
 * its own or shared (never an address in another compartment's memory), whose saved stack pointer, as the
 * caller's own pointer guard demangles it, lies in this thread's stack above the running call and below the
 * call it serves (an active frame of its own on this thread), and whose saved PC lies in its own
 * compartment's code. The value is passed as longjmp would (0 becomes 1), with the private copy of the
 * jmp_buf that was checked (a local jump to a jmp_buf that other compartments can write gets the same
 * checks). A jmp_buf in memory the callee can write (the shared heap, a local moved to the shared stack) can
 * still be forged within those bounds:
 * docs/architecture.md, "longjmp across gates".
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_report.h"
#include "bh_unwind.h"

#include <pthread.h>
#include <setjmp.h>
#include <string.h>

/* With -Wl,--wrap=longjmp..., the C library's own; weak, so that the runtime links without the wrap too. */
extern void __real_longjmp(struct __jmp_buf_tag *env, int val) __attribute__((weak, noreturn));
extern void __real___longjmp_chk(struct __jmp_buf_tag *env, int val) __attribute__((weak, noreturn));

/* One served call on this thread: where the entry's frames begin, and how to leave them. Lives in
 * bh_serve_entry's frame (private stack memory). */
typedef struct bh_serve_ctx {
    void *jb[5];                    /* __builtin_setjmp */
    uintptr_t mark;                 /* the entry's frames lie below */
    struct bh_serve_ctx *outer;
    struct __jmp_buf_tag *env;      /* the jump that ended the call */
    int val;
} bh_serve_ctx;

static _Thread_local bh_serve_ctx *bh_tls_serve_ctx __attribute__((tls_model("initial-exec")));
static _Thread_local uintptr_t bh_tls_stack_hi __attribute__((tls_model("initial-exec")));

int bh_serve_entry(int32_t gate, bh_frame *f, void **env, int32_t *val) {
    bh_serve_ctx c;
    c.outer = bh_tls_serve_ctx;
    c.mark = (uintptr_t)__builtin_frame_address(0);
    bh_channel *ch = bh_tls_get_channel();
    char *sp0 = ch ? ch->sp : NULL;   /* the channel's shared stack as the call found it */
    if (sp0 && !bh_on_stack(ch, sp0, 0)) sp0 = NULL;
    bh_tls_serve_ctx = &c;
    if (__builtin_setjmp(c.jb) == 0) {
        bh_run_entry(gate, f);
        bh_tls_serve_ctx = c.outer;
        return 0;
    }
    bh_tls_serve_ctx = c.outer;
    /* the locals that the left frames moved to the shared stack: released (their cleanups did not run) */
    if (sp0) bh_stack_free(sp0);
    *env = c.env;
    *val = c.val;
    return 1;
}

static inline uintptr_t bh_demangle(uintptr_t v) {
#if defined(__x86_64__)
    uintptr_t guard;
    __asm__("mov %%fs:0x30, %0" : "=r"(guard));
    v = (v >> 0x11) | (v << (64 - 0x11));
    return v ^ guard;
#else
#error "longjmp across gates: jmp_buf layout known for x86_64 only"
#endif
}
/* glibc's x86_64 __jmp_buf: rbx, rbp, r12, r13, r14, r15, rsp, pc (the last three mangled) */
#define BH_JB_RSP 6
#define BH_JB_PC 7

static int in_region(bh_region r, uintptr_t a, size_t n) { return r.start < r.end && a >= r.start && a <= r.end && n <= r.end - a; }

/* The top of this thread's stack (above: none of its frames). */
static uintptr_t stack_hi(void) {
    if (bh_tls_stack_hi) return bh_tls_stack_hi;
    uintptr_t hi = 0;
    if (bh_rt.self_index == 0 && bh_rt.initial_stack_hi && gettid() == getpid()) {
        hi = bh_rt.initial_stack_hi;
    } else {
        pthread_attr_t a;
        void *addr;
        size_t size;
        if (pthread_getattr_np(pthread_self(), &a) == 0) {
            if (pthread_attr_getstack(&a, &addr, &size) == 0) hi = (uintptr_t)addr + size;
            pthread_attr_destroy(&a);
        }
    }
    bh_tls_stack_hi = hi;
    return hi;
}

/* Whether this process may read the n bytes at a as its own or as shared memory: this thread's stack above
 * lo, this compartment's data, the shared globals, the shared heap, this thread's shared stack, this
 * compartment's band (its mmap'd memory). Never another compartment's: from a hostile callee's word, the
 * address could be anywhere. */
static int readable(uintptr_t a, size_t n, uintptr_t lo) {
    uintptr_t hi = stack_hi();
    if (a >= lo && a < hi && n <= hi - a) return 1;
    const bh_program_desc *p = bh_rt.program;
    const bh_compartment_desc *c = &p->compartments[bh_rt.self_index];
    if (in_region(c->data, a, n) || in_region(c->bss, a, n) || in_region(p->shared, a, n)) return 1;
    uintptr_t h = (uintptr_t)bh_rt.heap;
    if (h && a >= h && a <= h + bh_rt.heap_size && n <= h + bh_rt.heap_size - a) return 1;
    bh_channel *ch = bh_tls_get_channel();
    if (ch && bh_on_stack(ch, (const void *)a, n)) return 1;
    return bh_band_owner(a) == bh_rt.self_index && bh_band_owner(a + n - 1) == bh_rt.self_index;
}

/* The stack pointer a jmp_buf saved, if this process can read it; 0 otherwise. */
static uintptr_t saved_sp(struct __jmp_buf_tag *env, uintptr_t lo, uintptr_t *pc) {
    if (!readable((uintptr_t)env, sizeof env->__jmpbuf, lo)) return 0;
    long w[8];
    memcpy(w, env->__jmpbuf, sizeof w);   /* read once: shared memory may change meanwhile */
    if (pc) *pc = bh_demangle((uintptr_t)w[BH_JB_PC]);
    return bh_demangle((uintptr_t)w[BH_JB_RSP]);
}

/* The executable's image (GNU ld's default script): a PLT stub and its GOT slot lie in it. */
extern char __executable_start[] __attribute__((weak)), _end[] __attribute__((weak));
static int in_image(uintptr_t a, size_t n) {
    uintptr_t lo = (uintptr_t)__executable_start, hi = (uintptr_t)_end;
    return lo && hi > lo && a >= lo && a <= hi && n <= hi - a;
}

/* The C library's setjmp entry points, as the runtime's GOT has them. */
static int is_setjmp(uintptr_t f) {
    return f && (f == (uintptr_t)&_setjmp || f == (uintptr_t)&__sigsetjmp || f == (uintptr_t)&setjmp);
}

/* Whether the code at `a` (of this compartment) is a PLT stub that jumps to a setjmp entry point through
 * its GOT slot: [endbr64] [bnd] jmp *disp32(%rip). */
static int plt_to_setjmp(uintptr_t a) {
    if (!in_image(a, 16)) return 0;
    const unsigned char *c = (const unsigned char *)a;
    if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) c += 4;
    if (c[0] == 0xf2) c++;
    if (c[0] != 0xff || c[1] != 0x25) return 0;
    int32_t d;
    memcpy(&d, c + 2, sizeof d);
    uintptr_t slot = (uintptr_t)(c + 6) + (intptr_t)d, f;
    if (!in_image(slot, sizeof f)) return 0;
    memcpy(&f, (const void *)slot, sizeof f);
    return is_setjmp(f);
}

/* Whether pc, in this compartment's code, is the return address of a call of setjmp, _setjmp, sigsetjmp or
 * __sigsetjmp: what a jmp_buf that the program set holds. A PC a callee made up must be one of those too. */
static int after_setjmp_call(uintptr_t pc) {
    const bh_region t = bh_rt.program->compartments[bh_rt.self_index].text;
    if (pc < t.start + 6 || pc > t.end) return 0;
    const unsigned char *c = (const unsigned char *)pc;
    int32_t d;
    if (c[-5] == 0xe8) {   /* call rel32: to the PLT stub (or the function itself) */
        memcpy(&d, c - 4, sizeof d);
        uintptr_t target = pc + (intptr_t)d;
        if (is_setjmp(target)) return 1;
        if (target >= t.start && target < t.end) return 0;   /* a function of the program's own */
        if (bh_text_owner(target) >= 0 || bh_band_owner(target) >= 0) return 0;
        return plt_to_setjmp(target);
    }
    if (c[-6] == 0xff && c[-5] == 0x15) {   /* call *disp32(%rip) (-fno-plt) */
        memcpy(&d, c - 4, sizeof d);
        uintptr_t slot = pc + (intptr_t)d, f;
        if (!in_image(slot, sizeof f)) return 0;
        memcpy(&f, (const void *)slot, sizeof f);
        return is_setjmp(f);
    }
    return 0;
}

/* A jump whose jmp_buf lies in memory other compartments can write is refused unless its private copy c
 * resumes a frame of this thread (sp between lo and hi) right after a setjmp call: reported, the program
 * ends. */
static void check_copy(const struct __jmp_buf_tag *c, uintptr_t lo, uintptr_t hi, const void *env) {
    uintptr_t sp = bh_demangle((uintptr_t)c->__jmpbuf[BH_JB_RSP]);
    uintptr_t pc = bh_demangle((uintptr_t)c->__jmpbuf[BH_JB_PC]);
    if (sp > lo && sp < hi && after_setjmp_call(pc)) return;
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, bh_rt.self_index);
    bh_rb_str(&b, ": longjmp to a jmp_buf at ");
    bh_rb_hex(&b, (uintptr_t)env);
    bh_rb_str(&b, ", in memory other compartments can write, that no active frame set as it now reads");
    bh_rb_emit(&b);
    bh_request_termination(BH_TERM_FATAL, BH_REFUSED_STATUS);
    bh_park_forever();
}

/* A jump by the program. Local (the C library's) unless this thread serves a call and the target lies
 * outside it. A local jump to a jmp_buf that other compartments can write (a local whose address crossed a
 * gate lies on the shared stack; the shared heap) is checked and made with a private copy: what the jmp_buf
 * says could have been changed by any of them (the pointer guard is the same in every fork of main). */
static void jump(struct __jmp_buf_tag *env, int val, int chk) {
    bh_serve_ctx *c = bh_tls_serve_ctx;
    uintptr_t lo = (uintptr_t)__builtin_frame_address(0);
    if (c && bh_rt.launched) {
        uintptr_t a = (uintptr_t)env;
        int local = a >= lo && a < c->mark;
        if (!local) {
            uintptr_t sp = saved_sp(env, lo, NULL);
            local = sp > lo && sp < c->mark;
        }
        if (!local) {
            c->env = env;
            c->val = val;
            __builtin_longjmp(c->jb, 1);
        }
    }
    if (bh_rt.launched && bh_other_writable(env)) {
        struct __jmp_buf_tag copy;
        memcpy(&copy, env, sizeof copy);   /* read once: checked and used as read */
        check_copy(&copy, lo, c ? c->mark : stack_hi(), env);
        if (chk && __real___longjmp_chk) __real___longjmp_chk(&copy, val);
        __real_longjmp(&copy, val);
    }
    if (chk && __real___longjmp_chk) __real___longjmp_chk(env, val);
    __real_longjmp(env, val);
}

void __wrap_longjmp(struct __jmp_buf_tag *env, int val) { jump(env, val, 0); __builtin_unreachable(); }
void __wrap__longjmp(struct __jmp_buf_tag *env, int val) { jump(env, val, 0); __builtin_unreachable(); }
void __wrap_siglongjmp(struct __jmp_buf_tag *env, int val) { jump(env, val, 0); __builtin_unreachable(); }
void __wrap___longjmp_chk(struct __jmp_buf_tag *env, int val) { jump(env, val, 1); __builtin_unreachable(); }

void bh_frame_set_unwound(bh_frame *f, void *env, int32_t val) {
    uint64_t e = (uint64_t)(uintptr_t)env;
    f->gate = val;
    memcpy(&f->err, &e, sizeof e);   /* err and prev: the caller reads no more of them */
    __atomic_store_n(&f->status, (int16_t)BH_ST_UNWOUND, __ATOMIC_RELEASE);
}

int bh_unwind_arrived(bh_frame *f, int32_t gate, int32_t callee) {
    uint64_t e;
    memcpy(&e, &f->err, sizeof e);   /* each word read once: the callee may write them meanwhile */
    int val = __atomic_load_n(&f->gate, __ATOMIC_RELAXED);
    struct __jmp_buf_tag *env = (struct __jmp_buf_tag *)(uintptr_t)e;
    bh_stack_free(f);   /* the frame, its buffers, and whatever the callee put above them */
    bh_serve_ctx *c = bh_tls_serve_ctx;
    uintptr_t lo = (uintptr_t)__builtin_frame_address(0);
    uintptr_t hi = c ? c->mark : stack_hi();
    uintptr_t pc = 0, sp = 0;
    struct __jmp_buf_tag copy;   /* read once, checked and jumped with: the callee may rewrite a shared one */
    if (readable((uintptr_t)env, sizeof copy, lo)) {
        memcpy(&copy, env, sizeof copy);
        sp = bh_demangle((uintptr_t)copy.__jmpbuf[BH_JB_RSP]);
        pc = bh_demangle((uintptr_t)copy.__jmpbuf[BH_JB_PC]);
    }
    if (sp > lo && sp < hi && after_setjmp_call(pc)) __real_longjmp(&copy, val == 0 ? 1 : val);
    uintptr_t a = (uintptr_t)env;
    if (c && !(a > lo && a < hi)) {   /* not a frame of this call: maybe of one further out */
        c->env = env;
        c->val = val;
        __builtin_longjmp(c->jb, 1);
    }
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, callee);
    bh_rb_str(&b, " faulted while serving gate ");
    bh_rb_gate(&b, gate);
    bh_rb_str(&b, ": longjmp to a jmp_buf at ");
    bh_rb_hex(&b, a);
    bh_rb_str(&b, " that no active frame of its callers set");
    bh_rb_emit(&b);
    bh_request_termination(BH_TERM_FATAL, BH_REFUSED_STATUS);
    return 0;
}
