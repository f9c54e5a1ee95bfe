/*
 * exits.c: what the program registers to run at exit (atexit, on_exit, __cxa_atexit) and its destructors
 * (.fini_array), run under the process backend each in the process of the compartment it belongs to, in the
 * order of the unpartitioned program.
 *
 * The process backend links with -Wl,--wrap=__cxa_atexit -Wl,--wrap=on_exit (atexit() is __cxa_atexit in
 * glibc), so a registration reaches bh_exit_record instead of the C library's list. Each gets a global
 * number from the shared counter; the handler itself (function, argument) is kept in the registering
 * process's private table, and the shared table says only which compartment runs number i, so that no
 * compartment can make another run code it did not register. At main's exit the runtime (Swift,
 * mainOnExit) runs the numbers from the highest down, each in its process (internal gates, served here by
 * bh_exit_serve), then the destructors in reverse array order, each in its compartment's process, then
 * flushes every process's stdio. Destructors are disabled in main's own copy of the array once run, so the
 * C library's _dl_fini does not run them again; those outside every compartment (the C runtime's) stay.
 */
#include "bh_internal_runtime.h"

#include <stdlib.h>
#include <sys/mman.h>

/* Weak, so that a program linked without the wrap flags (one process) still links; then never called. */
extern int __real___cxa_atexit(void (*fn)(void *), void *arg, void *dso) __attribute__((weak));
extern int __real_on_exit(void (*fn)(int, void *), void *arg) __attribute__((weak));

typedef struct {
    void *fn;
    void *arg;
    int32_t kind;      /* BH_EXIT_CXA: fn(arg); BH_EXIT_ON_EXIT: fn(status, arg) */
    int32_t comp;      /* the compartment that runs it; -1: empty or already run */
} bh_exit_entry;

static bh_exit_entry bh_exits[BH_MAX_EXIT_HANDLERS];   /* private to each process (copied at fork) */

int32_t bh_text_owner(uintptr_t addr) {
    const bh_program_desc *p = bh_rt.program;
    if (!p) return -1;
    for (int32_t k = 0; k < p->ncompartments; k++) {
        bh_region t = p->compartments[k].text;
        if (addr >= t.start && addr < t.end) return k;
    }
    return -1;
}

int bh_exit_record(int32_t kind, void *fn, void *arg) {
    bh_ctrl *c = bh_rt.ctrl;
    if (!bh_rt.started || !bh_rt.multi || !c || !fn) return -1;
    int32_t seq = __atomic_fetch_add(&c->exit_count, 1, __ATOMIC_SEQ_CST);
    if (seq >= BH_MAX_EXIT_HANDLERS) return -1;
    /* before the processes start (constructors): the compartment whose code it is, else main */
    int32_t comp = bh_rt.self_index;
    if (!bh_rt.launched) {
        comp = bh_text_owner((uintptr_t)fn);
        if (comp < 0) comp = 0;
    }
    bh_exits[seq] = (bh_exit_entry){fn, arg, kind, comp};
    __atomic_store_n(&c->exit_order[seq], comp + 1, __ATOMIC_RELEASE);
    return 0;
}

int __wrap___cxa_atexit(void (*fn)(void *), void *arg, void *dso) {
    if (bh_exit_record(BH_EXIT_CXA, (void *)fn, arg) == 0) return 0;
    return __real___cxa_atexit ? __real___cxa_atexit(fn, arg, dso) : -1;
}

int __wrap_on_exit(void (*fn)(int, void *), void *arg) {
    if (bh_exit_record(BH_EXIT_ON_EXIT, (void *)fn, arg) == 0) return 0;
    return __real_on_exit ? __real_on_exit(fn, arg) : -1;
}

/* The runtime's own on_exit handlers go to the C library, wrapped or not. */
int bh_register_on_exit(void (*fn)(int, void *)) {
    return __real_on_exit ? __real_on_exit(fn, NULL) : on_exit(fn, NULL);
}

int32_t bh_exit_next(int32_t *owner) {
    bh_ctrl *c = bh_rt.ctrl;
    int32_t n = __atomic_load_n(&c->exit_count, __ATOMIC_ACQUIRE);
    if (n > BH_MAX_EXIT_HANDLERS) n = BH_MAX_EXIT_HANDLERS;
    for (int32_t s = n - 1; s >= 0; s--) {
        int32_t o = __atomic_load_n(&c->exit_order[s], __ATOMIC_ACQUIRE);
        if (o > 0 && __atomic_compare_exchange_n(&c->exit_order[s], &o, -o, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            *owner = o - 1;
            return s;
        }
    }
    return -1;
}

void bh_exit_run(int32_t seq, int status) {
    if (seq < 0 || seq >= BH_MAX_EXIT_HANDLERS) return;
    bh_exit_entry e = bh_exits[seq];
    if (!e.fn || e.comp != bh_rt.self_index) return;
    bh_exits[seq].comp = -1;   /* at most once */
    if (e.kind == BH_EXIT_ON_EXIT) ((void (*)(int, void *))e.fn)(status, e.arg);
    else ((void (*)(void *))e.fn)(e.arg);
}

/* ---- destructors ---------------------------------------------------------------------------------- */

extern void (*__fini_array_start[])(void) __attribute__((weak, visibility("hidden")));
extern void (*__fini_array_end[])(void) __attribute__((weak, visibility("hidden")));

static void bh_fini_noop(void) {}

int32_t bh_fini_count(void) {
    if (!__fini_array_start || !__fini_array_end) return 0;
    return (int32_t)(__fini_array_end - __fini_array_start);
}

int32_t bh_fini_owner(int32_t i) {
    if (i < 0 || i >= bh_fini_count()) return -1;
    void (*f)(void) = __fini_array_start[i];
    return f == bh_fini_noop ? -1 : bh_text_owner((uintptr_t)f);
}

void bh_fini_run(int32_t i) {
    if (bh_fini_owner(i) != bh_rt.self_index) return;
    __fini_array_start[i]();
}

/* This process's copy of entry i becomes a no-op (the array is read-only after relocation: RELRO). */
void bh_fini_disable(int32_t i) {
    if (i < 0 || i >= bh_fini_count()) return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)&__fini_array_start[i] & ~(page - 1);
    if (mprotect((void *)a, page, PROT_READ | PROT_WRITE) != 0) return;
    __fini_array_start[i] = bh_fini_noop;
    mprotect((void *)a, page, PROT_READ);
}

/* exit() in a child that the program forked (not a compartment): as it would there unpartitioned, it runs
 * the handlers its compartment registered (newest first); its destructors are left to the C library and
 * the other compartments' are disabled (their code cannot run in this process). It has no part in the
 * program's exit, so the shared order is left alone. */
void bh_exit_forked_child(int status) {
    bh_ctrl *c = bh_rt.ctrl;
    int32_t n = c ? __atomic_load_n(&c->exit_count, __ATOMIC_ACQUIRE) : 0;
    if (n > BH_MAX_EXIT_HANDLERS) n = BH_MAX_EXIT_HANDLERS;
    for (int32_t s = n - 1; s >= 0; s--) bh_exit_run(s, status);
    for (int32_t i = bh_fini_count() - 1; i >= 0; i--) {
        int32_t k = bh_fini_owner(i);
        if (k >= 0 && k != bh_rt.self_index) bh_fini_disable(i);
    }
}

/* ---- the internal gate: main asks a compartment to run its part of the program's exit ----------------- */

void bh_exit_serve(bh_frame *h) {
    bh_exit_frame f;   /* only main may call (serve checks the caller): the request read once, privately */
    if (bh_entry_copy(&f, h, sizeof f)) return;
    switch (f.op) {
    case BH_EXIT_OP_HANDLER: bh_exit_run(f.arg, f.status); break;
    case BH_EXIT_OP_FINI: bh_fini_run(f.arg); break;
    case BH_EXIT_OP_FLUSH: fflush(NULL); break;
    }
}
