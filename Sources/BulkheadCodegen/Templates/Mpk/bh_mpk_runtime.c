/*
 * bh_mpk_runtime.c: the runtime of the mpk backend (protection keys, one process), copied into every mpk
 * tree as bh/bh_mpk_runtime.c and compiled with the program. It
 *   - refuses to start where the CPU or kernel has no protection keys;
 *   - allocates key i + 1 to compartment i and tags its data and bss (bh/bulkhead.ld's sections) and its
 *     heap with that key; key 0 stays the shared key;
 *   - is the program's malloc family: one arena per compartment plus the shared arena, chosen by the code
 *     that calls (its return address: code in a compartment's text allocates from that compartment's
 *     arena, anything else, the C library included, from the shared one); free and realloc by address;
 *   - reports a protection-key fault (SEGV_PKUERR) with the compartment running, the compartment whose
 *     memory was touched and the gate entered last, then aborts;
 *   - runs the program's signal handlers (sigaction and signal are wrapped at link time) with the rights
 *     of the compartment whose code they are, as the kernel resets PKRU on delivery;
 *   - before main(), after every constructor, installs a seccomp filter that denies what would undo the
 *     keys, and enters the default compartment.
 * docs/architecture.md ("The mpk backend") gives the reasons.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bh_mpk.h"

__thread int bh_mpk_current;
__thread int bh_mpk_gate = -1;

static const bh_mpk_program *bh_program;

/* ---- the allocator --------------------------------------------------------------------------------- */

/* Arena a (0: shared, i + 1: compartment i) is the a-th slice of one reservation. Its first page holds its
 * state (lock, bump offset, free lists), so that the state carries the arena's key: code of another
 * compartment can neither allocate from it nor corrupt its lists. Blocks are power-of-two classes from 32
 * bytes, each with a 16-byte header (class, magic, offset from the block's start for aligned blocks), on
 * one free list per class; nothing is coalesced or returned to the kernel. */
#define BH_ARENAS (BH_MPK_MAX_COMPARTMENTS + 1)
#define BH_ARENA_SIZE ((uintptr_t)1 << 34)
#define BH_CLASSES 40
#define BH_MAGIC 0x6b706d62u

typedef struct { uint32_t cls, magic; uint64_t offset; } bh_header;
typedef struct { int lock; uintptr_t bump; void *free[BH_CLASSES]; } bh_arena;

static uintptr_t bh_heap_base;

static void bh_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void bh_die(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 1) n = (int)sizeof line - 1;
    if (n > 0 && write(2, line, (size_t)n) < 0) { /* nothing more to do */ }
    abort();
}

static void bh_heap_reserve(void)
{
    if (__atomic_load_n(&bh_heap_base, __ATOMIC_ACQUIRE)) return;
    void *p = mmap(0, BH_ARENA_SIZE * BH_ARENAS, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) bh_die("bulkhead: cannot reserve the compartments' heaps: %s\n", strerror(errno));
    uintptr_t expected = 0;
    if (!__atomic_compare_exchange_n(&bh_heap_base, &expected, (uintptr_t)p, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        munmap(p, BH_ARENA_SIZE * BH_ARENAS);
}

static bh_arena *bh_arena_at(int a) { return (bh_arena *)(bh_heap_base + (uintptr_t)a * BH_ARENA_SIZE); }

/* The arena of the code at `ra`: its compartment's, or the shared one. */
static int bh_arena_of_code(const void *ra)
{
    const bh_mpk_program *p = bh_program;
    if (!p) return 0;
    uintptr_t a = (uintptr_t)ra;
    for (int i = 0; i < p->ncompartments; i++)
        if (a >= p->compartments[i].text.start && a < p->compartments[i].text.end) return i + 1;
    return 0;
}

static int bh_compartment_of_code(const void *ra) { return bh_arena_of_code(ra) - 1; }

static void bh_lock(int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) sched_yield();
}
static void bh_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

static void *bh_alloc(int a, size_t n, size_t align)
{
    bh_heap_reserve();
    if (align < 16) align = 16;
    if (n > BH_ARENA_SIZE / 4) { errno = ENOMEM; return 0; }
    size_t total = n + sizeof(bh_header) + (align > 16 ? align : 0);
    uint32_t cls = 5;
    while (((size_t)1 << cls) < total) cls++;
    bh_arena *ar = bh_arena_at(a);
    bh_lock(&ar->lock);
    void *block = ar->free[cls];
    if (block) {
        ar->free[cls] = *(void **)block;
    } else {
        if (!ar->bump) ar->bump = 4096;
        size_t size = (size_t)1 << cls;
        if (ar->bump + size > BH_ARENA_SIZE / 2) { bh_unlock(&ar->lock); errno = ENOMEM; return 0; }   /* above: private stacks */
        block = (char *)ar + ar->bump;
        ar->bump += size < 16 ? 16 : size;
    }
    bh_unlock(&ar->lock);
    uintptr_t user = ((uintptr_t)block + sizeof(bh_header) + align - 1) & ~(uintptr_t)(align - 1);
    bh_header *h = (bh_header *)user - 1;
    h->cls = cls;
    h->magic = BH_MAGIC;
    h->offset = user - (uintptr_t)block;
    return (void *)user;
}

static bh_header *bh_header_of(void *p, int *arena)
{
    uintptr_t u = (uintptr_t)p;
    if (!bh_heap_base || u < bh_heap_base || u >= bh_heap_base + BH_ARENA_SIZE * BH_ARENAS) return 0;
    bh_header *h = (bh_header *)p - 1;
    if (h->magic != BH_MAGIC) bh_die("bulkhead: free() or realloc() of %p, which malloc did not return\n", p);
    *arena = (int)((u - bh_heap_base) / BH_ARENA_SIZE);
    return h;
}

static void bh_release(void *p)
{
    int a;
    bh_header *h = p ? bh_header_of(p, &a) : 0;
    if (!h) return;   /* null, or memory of the dynamic loader's own allocator before relocation */
    void *block = (char *)p - h->offset;
    h->magic = 0;
    bh_arena *ar = bh_arena_at(a);
    bh_lock(&ar->lock);
    *(void **)block = ar->free[h->cls];
    ar->free[h->cls] = block;
    bh_unlock(&ar->lock);
}

static size_t bh_usable(void *p)
{
    int a;
    bh_header *h = p ? bh_header_of(p, &a) : 0;
    return h ? ((size_t)1 << h->cls) - h->offset : 0;
}

static void *bh_resize(int a, void *p, size_t n)
{
    if (!p) return bh_alloc(a, n, 16);
    int home;
    bh_header *h = bh_header_of(p, &home);
    if (!h) return 0;
    if (n == 0) { bh_release(p); return 0; }
    size_t have = ((size_t)1 << h->cls) - h->offset;
    if (n <= have) return p;
    void *q = bh_alloc(home, n, 16);   /* a block stays in its arena */
    if (!q) return 0;
    memcpy(q, p, have);
    bh_release(p);
    return q;
}

void *malloc(size_t n) { return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, 16); }
void free(void *p) { bh_release(p); }
void cfree(void *p) { bh_release(p); }
void *realloc(void *p, size_t n) { return bh_resize(bh_arena_of_code(__builtin_return_address(0)), p, n); }
size_t malloc_usable_size(void *p) { return bh_usable(p); }

void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return 0; }
    void *p = bh_alloc(bh_arena_of_code(__builtin_return_address(0)), total, 16);
    if (p) memset(p, 0, total);
    return p;
}

void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return 0; }
    return bh_resize(bh_arena_of_code(__builtin_return_address(0)), p, total);
}

static int bh_power_of_two(size_t a) { return a && !(a & (a - 1)); }

int posix_memalign(void **out, size_t align, size_t n)
{
    if (!bh_power_of_two(align) || align % sizeof(void *)) return EINVAL;
    void *p = bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, align);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    if (!bh_power_of_two(align)) { errno = EINVAL; return 0; }
    return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, align);
}

void *memalign(size_t align, size_t n)
{
    if (!bh_power_of_two(align)) { errno = EINVAL; return 0; }
    return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, align);
}

void *valloc(size_t n) { return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, 4096); }
void *pvalloc(size_t n) { return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), (n + 4095) & ~(size_t)4095, 4096); }

void *bh_shared_malloc(size_t n) { return bh_alloc(0, n, 16); }
void *bh_shared_realloc(void *p, size_t n) { return bh_resize(0, p, n); }
void bh_shared_free(void *p) { bh_release(p); }
void *bh_shared_calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return 0; }
    void *p = bh_alloc(0, total, 16);
    if (p) memset(p, 0, total);
    return p;
}
char *bh_shared_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bh_alloc(0, n, 16);
    return p ? memcpy(p, s, n) : p;
}
char *bh_shared_strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = bh_alloc(0, n + 1, 16);
    if (p) { memcpy(p, s, n); p[n] = 0; }
    return p;
}

/* The shared stack of the analysis (locals whose address crosses a gate move there, bh_shared_stack.h):
 * blocks of the shared heap, key 0, so that a callee on a stack of its own can reach them too. */
void *bh_stack_alloc(size_t n, size_t align)
{
    void *p = bh_alloc(0, n ? n : 1, align);
    if (!p) bh_die("bulkhead: out of memory for a local moved to the shared stack (%zu bytes)\n", n);
    return p;
}
void bh_stack_free(void *p) { bh_release(p); }

/* ---- private stacks (`gate: private`) ------------------------------------------------------------------ */

/* A thread's stack for compartment k: 8 MiB of the upper half of k's arena (so it carries k's key), handed
 * out by a bump counter on key 0, so that a caller finds the callee's stack without the callee's rights (the
 * gate moves to that stack before it writes PKRU: no memory is touched in between). bh_mpk_sp[k] is where
 * k's frames continue when k is entered again while active on this thread (a gate leaving k records its
 * stack pointer there). A thread that runs on a private stack gets an alternate signal stack on key 0: the
 * kernel resets PKRU on delivery, and a handler on k's stack could not push. */
#define BH_MPK_STACK_SIZE ((uintptr_t)8 << 20)
__thread uintptr_t bh_mpk_sp[BH_MPK_MAX_COMPARTMENTS];
static __thread uintptr_t bh_mpk_stacks[BH_MPK_MAX_COMPARTMENTS];
static __thread int bh_mpk_altstack;
static uintptr_t bh_mpk_stack_next[BH_MPK_MAX_COMPARTMENTS];

uintptr_t bh_mpk_stack_top(int k)
{
    if (bh_mpk_sp[k]) return bh_mpk_sp[k];
    if (!bh_mpk_stacks[k]) {
        if (!bh_mpk_altstack) {
            stack_t ss = { .ss_sp = bh_alloc(0, 65536, 4096), .ss_size = 65536, .ss_flags = 0 };
            if (!ss.ss_sp || sigaltstack(&ss, 0) != 0) bh_die("bulkhead: cannot give a thread its signal stack\n");
            bh_mpk_altstack = 1;
        }
        uintptr_t n = __atomic_fetch_add(&bh_mpk_stack_next[k], 1, __ATOMIC_RELAXED);
        if ((n + 1) * BH_MPK_STACK_SIZE > BH_ARENA_SIZE / 2) bh_die("bulkhead: too many threads in compartment %d\n", k);
        bh_mpk_stacks[k] = (uintptr_t)bh_arena_at(k + 1) + BH_ARENA_SIZE / 2 + n * BH_MPK_STACK_SIZE;
        /* its lowest page is a guard: an overflow faults instead of running into the stack below */
        if (mprotect((void *)bh_mpk_stacks[k], 4096, PROT_NONE) != 0) bh_die("bulkhead: cannot guard a private stack: %s\n", strerror(errno));
    }
    return bh_mpk_stacks[k] + BH_MPK_STACK_SIZE;
}

/* ---- faults and signals ---------------------------------------------------------------------------- */

typedef struct { void (*handler)(int, siginfo_t *, void *); int installer; } bh_handler;
static bh_handler bh_handlers[_NSIG];

int __real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

static const char *bh_name(int c)
{
    return c >= 0 && bh_program && c < bh_program->ncompartments ? bh_program->compartments[c].name : "(the runtime)";
}

void bh_mpk_refused(int gate, uint32_t pkru)
{
    int caller = -1;
    for (int i = 0; bh_program && i < bh_program->ncompartments; i++)
        if (BH_MPK_PKRU(i) == pkru) caller = i;
    bh_die("bulkhead: %s: compartment '%s' entered gate '%s', which the plan does not let it call (only the compartments that call it by name may); aborting\n",
           bh_program ? bh_program->program : "?", bh_name(caller),
           bh_program && gate >= 0 && gate < bh_program->ngates ? bh_program->gate_names[gate] : "?");
}

static void bh_report_key_fault(siginfo_t *si)
{
    int owner = (int)si->si_pkey - 1, gate = bh_mpk_gate;
    const char *gname = gate >= 0 && bh_program && gate < bh_program->ngates ? bh_program->gate_names[gate] : "(none: main)";
    bh_die("bulkhead: %s: compartment '%s' touched memory of compartment '%s' (protection key %u) at %p, inside gate '%s'; aborting (on_fault: abort)\n",
           bh_program ? bh_program->program : "?", bh_name(bh_mpk_current), owner >= 0 ? bh_name(owner) : "(shared)",
           (unsigned)si->si_pkey, si->si_addr, gname);
}

static void bh_on_signal(int sig, siginfo_t *si, void *uc)
{
#ifdef SEGV_PKUERR
    if (sig == SIGSEGV && si && si->si_code == SEGV_PKUERR) bh_report_key_fault(si);
#else
    if (sig == SIGSEGV && si && si->si_code == 4) bh_report_key_fault(si);
#endif
    bh_handler h = bh_handlers[sig];
    if (!h.handler) {
        /* no handler of the program's: the default action, on return the fault repeats */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        __real_sigaction(sig, &dfl, 0);
        if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE) raise(sig);
        return;
    }
    /* the rights of the compartment whose code the handler is (else of the one that installed it); the
     * kernel restores the interrupted rights from the signal frame on return */
    int c = bh_compartment_of_code((const void *)h.handler);
    if (c < 0) c = h.installer;
    int prev = bh_mpk_current;
    bh_mpk_current = c;
    bh_mpk_restore(BH_MPK_PKRU(c < 0 ? 0 : c));
    h.handler(sig, si, uc);
    bh_mpk_current = prev;
}

static int bh_install(int sig, void (*handler)(int, siginfo_t *, void *), int installer, const struct sigaction *act,
                      struct sigaction *old)
{
    struct sigaction mine = *act;
    bh_handler previous = bh_handlers[sig];
    bh_handlers[sig].handler = handler;
    bh_handlers[sig].installer = installer;
    mine.sa_sigaction = bh_on_signal;
    mine.sa_flags |= SA_SIGINFO | SA_ONSTACK;
    int r = __real_sigaction(sig, &mine, old);
    if (old && old->sa_sigaction == bh_on_signal) {
        old->sa_flags = act->sa_flags;
        old->sa_sigaction = previous.handler;
        if (!previous.handler) old->sa_handler = SIG_DFL;
    }
    return r;
}

int __wrap_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig <= 0 || sig >= _NSIG || !act) return __real_sigaction(sig, act, old);
    int installer = bh_compartment_of_code(__builtin_return_address(0));
    if (act->sa_handler == SIG_IGN || (act->sa_handler == SIG_DFL && sig != SIGSEGV)) {
        bh_handlers[sig].handler = 0;
        return __real_sigaction(sig, act, old);
    }
    if (act->sa_handler == SIG_DFL) {   /* SIGSEGV keeps the runtime's handler for key faults */
        bh_handlers[sig].handler = 0;
        struct sigaction mine = *act;
        mine.sa_sigaction = bh_on_signal;
        mine.sa_flags |= SA_SIGINFO;
        return __real_sigaction(sig, &mine, old);
    }
    if (act->sa_flags & SA_SIGINFO) return bh_install(sig, act->sa_sigaction, installer, act, old);
    /* a plain handler takes one argument; called with three, the others are ignored (the x86-64 ABI) */
    return bh_install(sig, (void (*)(int, siginfo_t *, void *))(void *)act->sa_handler, installer, act, old);
}

sighandler_t __wrap_signal(int sig, sighandler_t handler)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART;
    sigemptyset(&act.sa_mask);
    if (sig <= 0 || sig >= _NSIG) { errno = EINVAL; return SIG_ERR; }
    int installer = bh_compartment_of_code(__builtin_return_address(0));
    bh_handler previous = bh_handlers[sig];
    int r;
    if (handler == SIG_IGN || handler == SIG_DFL) {
        bh_handlers[sig].handler = 0;
        r = __real_sigaction(sig, &act, &old);
    } else {
        r = bh_install(sig, (void (*)(int, siginfo_t *, void *))(void *)handler, installer, &act, &old);
    }
    if (r != 0) return SIG_ERR;
    if (old.sa_sigaction == bh_on_signal) return previous.handler ? (sighandler_t)(void *)previous.handler : SIG_DFL;
    return old.sa_handler;
}

/* ---- threads ------------------------------------------------------------------------------------------ */

/* A new thread inherits its creator's PKRU from the kernel; it inherits its compartment and gate here too
 * (for the fault reports), through a record on the shared heap. */
typedef struct { void *(*fn)(void *); void *arg; int compartment, gate; } bh_thread_start;

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

static void *bh_run_thread(void *p)
{
    bh_thread_start s = *(bh_thread_start *)p;
    bh_release(p);
    bh_mpk_current = s.compartment;
    bh_mpk_gate = s.gate;
    return s.fn(s.arg);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    bh_thread_start *s = bh_alloc(0, sizeof *s, 16);
    if (!s) return EAGAIN;
    s->fn = fn;
    s->arg = arg;
    s->compartment = bh_mpk_current;
    s->gate = bh_mpk_gate;
    int r = __real_pthread_create(t, attr, bh_run_thread, s);
    if (r != 0) bh_release(s);
    return r;
}

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
        if (bh_heap_base && p >= (uintptr_t)bh_arena_at(i + 1) && p < (uintptr_t)bh_arena_at(i + 1) + BH_ARENA_SIZE) return i;
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

/* ---- start-up: tagging ------------------------------------------------------------------------------- */

static void bh_tag(const bh_mpk_region *r, int key, const char *what, const char *name)
{
    if (r->end <= r->start) return;
    if (syscall(SYS_pkey_mprotect, r->start, r->end - r->start, PROT_READ | PROT_WRITE, key) != 0)
        bh_die("bulkhead: cannot give the %s of compartment '%s' its protection key %d: %s\n", what, name, key, strerror(errno));
}

/* ---- exit: handlers and destructors with their compartment's rights ------------------------------- */

typedef struct { void (*fn)(void *); void (*on_exit)(int, void *); void *arg; int compartment; } bh_exit_handler;

int __real___cxa_atexit(void (*fn)(void *), void *arg, void *dso);
int __real_on_exit(void (*fn)(int, void *), void *arg);

static void bh_run_exit_handler(int status, void *p)
{
    bh_exit_handler *h = p;
    uint32_t saved = bh_mpk_rdpkru();
    int prev = bh_mpk_current;
    bh_mpk_current = h->compartment;
    bh_mpk_restore(BH_MPK_PKRU(h->compartment));
    if (h->fn) h->fn(h->arg); else h->on_exit(status, h->arg);
    bh_mpk_restore(saved);
    bh_mpk_current = prev;
}

static void bh_run_atexit_handler(void *p) { bh_run_exit_handler(0, p); }

/* A handler that is code of a compartment runs with that compartment's rights, whoever registered it. */
static bh_exit_handler *bh_exit_record(void (*fn)(void *), void (*on_exit)(int, void *), void *arg)
{
    int c = bh_compartment_of_code(fn ? (const void *)fn : (const void *)on_exit);
    if (c < 0) return 0;
    bh_exit_handler *h = bh_alloc(0, sizeof *h, 16);
    if (!h) return 0;
    h->fn = fn;
    h->on_exit = on_exit;
    h->arg = arg;
    h->compartment = c;
    return h;
}

int __wrap___cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
    bh_exit_handler *h = bh_exit_record(fn, 0, arg);
    return h ? __real___cxa_atexit(bh_run_atexit_handler, h, dso) : __real___cxa_atexit(fn, arg, dso);
}

int __wrap_on_exit(void (*fn)(int, void *), void *arg)
{
    bh_exit_handler *h = bh_exit_record(0, fn, arg);
    return h ? __real_on_exit(bh_run_exit_handler, h) : __real_on_exit(fn, arg);
}

/* The compartments' destructors (their .fini_array, which bh/bulkhead.ld moves out of the program's), run
 * at exit, each with its compartment's rights, compartments in reverse order as the linker would have
 * placed them; registered before every constructor of the program, so they run after its exit handlers. */
static void bh_run_destructors(void *unused)
{
    (void)unused;
    const bh_mpk_program *p = bh_program;
    uint32_t saved = bh_mpk_rdpkru();
    int prev = bh_mpk_current;
    for (int i = p->ncompartments - 1; i >= 0; i--) {
        const bh_mpk_region *f = &p->compartments[i].fini;
        bh_mpk_current = i;
        bh_mpk_restore(BH_MPK_PKRU(i));
        for (uintptr_t e = f->end; e > f->start; e -= sizeof(void *)) {
            void (*d)(void) = *(void (**)(void))(e - sizeof(void *));
            if (d && (uintptr_t)d != (uintptr_t)-1) d();
        }
    }
    bh_mpk_restore(saved);
    bh_mpk_current = prev;
}

/* ---- the shared libraries' own WRPKRU ----------------------------------------------------------- */

/* The build scans the executable; the shared libraries it loads are not its code, and glibc's pkey_set
 * has a WRPKRU: a jump there with EAX = 0 would grant every right. Before isolation, every WRPKRU in a
 * loaded library's executable segments is overwritten with UD2 (0F 0B); the runtime never calls pkey_set.
 * The patch works on raw bytes, as the scan does: an occurrence inside another instruction (an immediate)
 * would change it; Debian 12's libc has one, pkey_set's own. XRSTOR is left alone: the dynamic loader's
 * lazy-binding resolver executes it (libraries bind lazily even when the program is linked -z now), so
 * that gadget stays (docs/architecture.md, "The mpk backend"). System calls are made inline: libc's own
 * mprotect may lie on the page being written. */
static long bh_raw_syscall3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static int bh_patched;

static int bh_is_hit(const unsigned char *p, size_t left)
{
    return left >= 3 && p[0] == 0x0f && p[1] == 0x01 && p[2] == 0xef;   /* WRPKRU */
}

static int bh_patch_object(struct dl_phdr_info *info, size_t size, void *unused)
{
    (void)size; (void)unused;
    if (!info->dlpi_name || !info->dlpi_name[0] || strstr(info->dlpi_name, "linux-vdso")) return 0;   /* the executable, scanned when built */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
        unsigned char *start = (unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        size_t len = ph->p_memsz;
        for (size_t k = 0; k < len; k++) {
            if (!bh_is_hit(start + k, len - k)) continue;
            uintptr_t page = (uintptr_t)(start + k) & ~(uintptr_t)4095;
            size_t span = ((uintptr_t)(start + k) + 2 - page + 4095) & ~(size_t)4095;
            if (bh_raw_syscall3(SYS_mprotect, (long)page, (long)span, PROT_READ | PROT_WRITE) != 0)
                bh_die("bulkhead: cannot remove a WRPKRU from %s\n", info->dlpi_name);
            start[k] = 0x0f;
            start[k + 1] = 0x0b;
            bh_raw_syscall3(SYS_mprotect, (long)page, (long)span, PROT_READ | PROT_EXEC);
            bh_patched++;
        }
    }
    return 0;
}

/* ---- start-up ---------------------------------------------------------------------------------------- */

void bh_mpk_start(const bh_mpk_program *program)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(c & (1u << 3))) {
        fprintf(stderr, "%s: this CPU has no protection keys (pku); build with backend: process\n", program->program);
        exit(1);
    }
    long key = syscall(SYS_pkey_alloc, 0, 0);
    if (!(c & (1u << 4)) || (key < 0 && (errno == ENOSYS || errno == EINVAL))) {
        fprintf(stderr, "%s: this kernel does not enable protection keys (ospke); build with backend: process\n", program->program);
        exit(1);
    }
    if (program->ncompartments > BH_MPK_MAX_COMPARTMENTS)
        bh_die("bulkhead: %d compartments, and protection keys give at most %d\n", program->ncompartments, BH_MPK_MAX_COMPARTMENTS);
    bh_heap_reserve();
    bh_tag(&program->shared, 0, "shared globals", "(shared)");
    for (int i = 0; i < program->ncompartments; i++) {
        if (i > 0) key = syscall(SYS_pkey_alloc, 0, 0);
        if (key != i + 1)
            bh_die("bulkhead: compartment '%s' needs protection key %d, and the kernel gave %ld (%s)\n",
                   program->compartments[i].name, i + 1, key, key < 0 ? strerror(errno) : "another key");
        const bh_mpk_compartment *c = &program->compartments[i];
        bh_tag(&c->data, i + 1, "data", c->name);
        bh_tag(&c->bss, i + 1, "bss", c->name);
        if (c->rodata.end > c->rodata.start
            && syscall(SYS_pkey_mprotect, c->rodata.start, c->rodata.end - c->rodata.start, PROT_READ, i + 1) != 0)
            bh_die("bulkhead: cannot give the read-only data of compartment '%s' its protection key: %s\n", c->name, strerror(errno));
        bh_mpk_region heap = { (uintptr_t)bh_arena_at(i + 1), (uintptr_t)bh_arena_at(i + 1) + BH_ARENA_SIZE };
        bh_tag(&heap, i + 1, "heap", c->name);
    }
    dl_iterate_phdr(bh_patch_object, 0);
    bh_program = program;
    __real___cxa_atexit(bh_run_destructors, 0, 0);
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = bh_on_signal;
    act.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&act.sa_mask);
    __real_sigaction(SIGSEGV, &act, 0);
}

/* What would undo the keys: allocating, freeing or re-tagging keys, and making memory executable (new code
 * could write PKRU). x32 system calls are refused too. */
static void bh_mpk_filter(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 11, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_alloc, 10, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_free, 9, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_mprotect, 8, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_writev, 7, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 6, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 5, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    };
    struct sock_fprog prog = { (unsigned short)(sizeof f / sizeof f[0]), f };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        bh_die("bulkhead: cannot install the mpk system-call filter: %s\n", strerror(errno));
}

int __real_main(int argc, char **argv, char **envp);

/* After the constructors (which run with every right: before isolation), main runs in the default
 * compartment. */
int __wrap_main(int argc, char **argv, char **envp)
{
    bh_mpk_filter();
    bh_mpk_current = 0;
    bh_mpk_restore(BH_MPK_PKRU(0));
    return __real_main(argc, argv, envp);
}
