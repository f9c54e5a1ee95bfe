/*
 * bh_internal_runtime.h: the runtime's own declarations, shared by its C part and its Swift part (which
 * imports this module). Not part of the contract with generated code (that is bulkhead_runtime.h only).
 *
 * What lives here: the layout of the shared region (control block, channels), the process-local runtime
 * state, atomics and futex wrappers (static inline), thread-local accessors, and the C functions that Swift
 * cannot write safely (fault handlers, seccomp, fork helpers, signal-safe reports).
 */
#ifndef BH_INTERNAL_RUNTIME_H
#define BH_INTERNAL_RUNTIME_H

#include "bulkhead_runtime.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnullability-completeness"
#else
#define _Nonnull
#define _Nullable
#endif

/* ---- sizes and tunables -------------------------------------------------------------------------- */

#define BH_MAX_CHANNELS 1024                  /* logical threads that ever made a gate call, at once */
#define BH_CHANNEL_STACK_SIZE (256 * 1024)    /* each channel's shared stack (frames, marshalled buffers) */
#define BH_MAX_COMPARTMENTS 256
#define BH_DEFAULT_SHARED_HEAP 67108864      /* 64 MiB */
#define BH_ALTSTACK_SIZE (64 * 1024)
#define BH_MAX_EXIT_HANDLERS 1024             /* atexit/on_exit registrations the runtime orders (more: the C
                                                 library's own list, in the registering process) */

/* THE spin tunable: how long (nanoseconds) a waiting side polls the channel's owner word before it sleeps
 * on the futex. It first polls BH_POLLS times with an lfence between polls (bh_poll_fence; under a
 * microsecond), then polls in rounds of 64 with a pause instruction between polls, yielding the CPU before
 * each round, so that a spinner does not hold the core the callee needs: when threads outnumber cores, and
 * when the scheduler has put the waiting thread and the one it waits for on the same CPU (a woken thread
 * often lands on its waker's CPU, and a new one on its creator's). A futex
 * sleep plus wake costs about 25 us per crossing on the 2-core test machine (AMD EPYC VM; a call with no
 * spin: 46 us) against 0.07 us for a crossing caught by the spin, so the spin lasts about as long as two
 * sleeps cost. Measured there (round trip, empty callee, per call): 1 thread 0.13-0.15 us, 2 threads
 * 0.14 us, 3 threads 0.15-0.17 us, 8 threads 1.3-2.2 us; a callee working 20 us: 20.3 us. Without the
 * yield, 3 or 8 threads on 2 cores fell to 6-40 us per call. Yielding after the first round of pauses
 * (about 2.5 us of waiting instead of 8) took cmark-gfm's workload from 96-108 to 85-89 ms (median of 30-40
 * runs, interleaved) and the worst of 300 starts of a two-compartment program from 25 to 12 ms; yielding
 * before it as well, another 7% off cmark-gfm (83 to 77 ms, 118 to 109 ms in a slower hour) and the worst
 * start from 9.7 to 6.2 ms, for about 1% on a callee that works 3 us. 0 disables spinning. */
/* The quiet period: after handing a channel over, a thread lets bh_tls_quiet lfence waits pass before it
 * first reads the channel's hot line again. A poll that lands while the other side works on the line takes
 * the line back from it, and its next store then waits a whole cache-line transfer for the line: on an
 * Intel Xeon (Emerald Rapids, KVM, 16 vCPUs) that made the empty gate 2.0-2.2x the raw spin
 * ping-pong, 1.6-1.7x with the quiet period. Adapted per thread from the poll that found the channel: the
 * first (waited too long: shrink by 1/BH_QUIET_S), the BH_QUIET_G-th or later within the lfence phase
 * (polled too early: grow by half the excess), up to BH_QUIET_MAX. Growing only from the second poll on
 * keeps it off machines where early polls cost nothing (the 2-core AMD EPYC test machine, where growing
 * from the first poll made the empty gate 15-20% slower). */
#define BH_QUIET_S 8
#define BH_QUIET_G 2
#define BH_QUIET_MAX 128
#define BH_POLLS 128
/* The one tunable a build varies: Scripts/bench.sh builds a runtime with -DBH_SPIN_NS=0 (no spin) to
 * measure what the spin buys. */
#ifndef BH_SPIN_NS
#define BH_SPIN_NS 50000
#endif

/* Frame status values: the public ones (enum bh_status) as plain ints, and one private to the runtime. */
#define BH_ST_CALL 0
#define BH_ST_RETURN 1
#define BH_ST_FAULTED 2
#define BH_ST_EXIT 3          /* the callee's process called exit(): the caller side exits with the status */
#define BH_ST_SERVING 4       /* the callee runs it (a call that is handed over again is not run twice) */

/* ctrl->terminating */
#define BH_TERM_NONE 0
#define BH_TERM_EXIT 1        /* exit(status) in a compartment: main calls exit(status) */
#define BH_TERM_FATAL 2       /* a fault under on_fault: abort (or a compartment died): main flushes, _exits */

/* ---- the shared region ------------------------------------------------------------------------------ */

typedef struct {
    int32_t pid;               /* the compartment's current process (0 for the default compartment) */
    int32_t alive;             /* 0 once it died for good (the program is terminating); futex word (woken then) */
    int32_t fault_reported;    /* its fault handler printed the report and asked for a restart */
    int32_t started;           /* its setup finished (a death before that is not restarted) */
    int32_t generation;        /* restarts so far */
    uint32_t heap_spans;       /* spans of its shared-heap arena its processes took so far (heap.c; a hint) */
    int32_t pad[2];
} bh_comp_state;

/* The words of a channel that both sides touch on every crossing. They lie at the very start of the
 * channel's shared stack (16 bytes), so the first frame pushed on an empty stack (the common case: a gate
 * with up to 32 bytes of result and arguments) shares their cache line: one line moves between the cores
 * per hand-over, as in a raw ping-pong, instead of the owner word's line and then the frame's. */
typedef struct bh_channel_hot {
    int32_t owner;             /* the compartment running this logical thread now; the futex word */
    uint32_t sleepers;         /* bh_bit(k) while compartment k's thread sleeps (or is about to) on owner */
    bh_frame *top;             /* the innermost pending frame */
} bh_channel_hot;

/* One logical thread of the program: its hot words (bh_hot) and these, which a crossing does not write
 * (only sp, by the side that pushes on the shared stack). 128 bytes, so that two never share a line. */
typedef struct bh_channel {
    int32_t home;              /* the compartment of the program thread that took the channel */
    int32_t ready;             /* 1 once initialised (futex word for peer threads) */
    char *sp;                  /* next free byte of the shared stack */
    char *base;                /* the shared stack: [base, limit), just after the hot words */
    char *limit;
    int32_t index;
    int32_t spare;
    int64_t next_move_ns;      /* bh_move_off_cpu: no thread of this channel moves before (CLOCK_MONOTONIC) */
    int64_t move_gap_ns;       /* and the gap after the next move */
    char pad[128 - 2 * 4 - 3 * sizeof(void *) - 2 * 4 - 2 * 8];
} bh_channel;

typedef struct bh_ctrl {
    uint32_t magic;
    int32_t ncompartments;
    int32_t nchannels;         /* channels handed out so far (never decreases) */
    int32_t event;             /* futex word: bumped when a channel is added and on termination */
    int32_t terminating;       /* BH_TERM_* */
    int32_t term_status;       /* the program's exit status once terminating; -1 before */
    int32_t shutdown;          /* main is exiting: gate calls fail at once */
    int32_t main_pid;
    int32_t zygote_pid;
    bh_comp_state comp[BH_MAX_COMPARTMENTS];
} bh_ctrl;

/* ---- process-local state ---------------------------------------------------------------------------- */

typedef struct {
    const bh_program_desc *program;   /* a private deep copy, readable whatever gets protected */
    int32_t self_index;                /* bh_self() */
    int32_t started;
    int32_t multi;                     /* more than one compartment: processes, zygote */
    int32_t is_zygote;
    int32_t exit_claimed;              /* main: the thread (tid) that took charge of ending the program */
    int32_t pid;                       /* this process (a fork of it by the program is not a compartment) */
    int32_t launched;                  /* the processes exist (before: constructors, one process) */
    int32_t filter_pending;            /* main's seccomp filter waits for main's first gate use */
    bh_ctrl *ctrl;
    bh_channel *channels;
    char *stacks;                      /* channel i's hot words and shared stack: stacks + i * BH_CHANNEL_STACK_SIZE */
    char *heap;
    size_t heap_size;
    size_t region_size;
    pthread_key_t channel_key;         /* thread exit gives the channel back */
    uintptr_t initial_stack_lo;        /* the program's frames on main's first thread's stack (from the */
    uintptr_t initial_stack_hi;        /* bottom of [stack] to __wrap_main's frame), found before any fork */
    int32_t zygote_pid;                /* main: its child the zygote, as the fork returned it */
    uintptr_t band_top;                /* private mappings: compartment k's band is [top - (k+1) X, top - k X),
                                          X = BH_BAND (main finds it before any fork) */
    /* the pairs' memory (pairs.c): pair p's region at pair_base + p * BH_PAIR_SPAN, mapped only in the
     * processes of its two compartments, pair_a[p] < pair_b[p]; pair_index[a * n + b]: p, or -1 */
    char *pair_base;
    int32_t npairs;
    int32_t *pair_a;
    int32_t *pair_b;
    int16_t *pair_index;
    char *pair_ctl;                    /* pair p's control page (bh_pair_ctl_of), mapped like its region */
    size_t pair_ctl_size;
} bh_rt_state;

extern bh_rt_state bh_rt;

static inline bh_rt_state *_Nonnull bh_rt_ptr(void) { return &bh_rt; }
static inline int32_t bh_rt_self(void) { return bh_rt.self_index; }
static inline bh_ctrl *_Nonnull bh_ctrl_ptr(void) { return bh_rt.ctrl; }                 /* once started */
static inline const bh_program_desc *_Nonnull bh_program(void) { return bh_rt.program; } /* once started */
static inline int32_t bh_ncompartments(void) { return bh_rt.program->ncompartments; }
static inline bh_channel *_Nonnull bh_channel_at(int32_t i) { return bh_rt.channels + i; }
static inline bh_channel_hot *_Nonnull bh_hot(const bh_channel *_Nonnull ch) {
    return (bh_channel_hot *)(bh_rt.stacks + (size_t)(ch - bh_rt.channels) * BH_CHANNEL_STACK_SIZE);
}
static inline bh_comp_state *_Nonnull bh_comp(int32_t k) { return &bh_rt.ctrl->comp[k]; }
static inline const bh_compartment_desc *_Nonnull bh_comp_desc(int32_t k) { return &bh_rt.program->compartments[k]; }

/* ---- the pairs' memory (pairs.c) ----------------------------------------------------------------------
 * Every pair of compartments that the plan lets one call the other has a region of its own, mapped only in
 * the processes of those two (a memfd per pair, mapped before any fork, its descriptor closed at once; every
 * other process maps fresh inaccessible memory over it): in it, one sub-stack per channel, where a call
 * between the two puts its frame and marshalled buffers, and the callee its copied result. So no third
 * compartment can read or change a call in flight, and the callee learns its caller from where the frame
 * lies: only the caller (or the callee) can have written there. A sub-stack starts with its stack pointer,
 * which only the two parties can write. */
#define BH_PAIR_SPAN ((size_t)BH_CHANNEL_STACK_SIZE * BH_MAX_CHANNELS)
/* A sub-stack's header: its stack pointer, and the call posted on it (the offset of the frame that the
 * caller has handed over and the callee not yet taken; 0: none). 16 bytes, so that the first frame pushed
 * shares their cache line: a callee reads that line anyway. */
#define BH_SUB_HEADER 16
typedef struct {
    char *sp;
    int32_t posted;
    int32_t spare;
} bh_sub_header;
static inline int32_t bh_pair(int32_t a, int32_t b) {
    int32_t n = bh_rt.program->ncompartments;
    if (a < 0 || b < 0 || a >= n || b >= n || !bh_rt.pair_index) return -1;
    return bh_rt.pair_index[a * n + b];
}
/* The sub-stack of channel ch in pair p: its header (the stack pointer) and [lo, hi). */
static inline char *_Nonnull bh_sub(int32_t p, const bh_channel *_Nonnull ch) {
    return bh_rt.pair_base + (size_t)p * BH_PAIR_SPAN + (size_t)(ch - bh_rt.channels) * BH_CHANNEL_STACK_SIZE;
}
/* Which of channel ch's stacks holds n bytes at f, from private state only: 0 the channel's own (in the
 * shared region: locals the program shares, frames of gates into the caller's own compartment), p + 1 the
 * sub-stack of pair p; -1 none. */
static inline int32_t bh_stack_of(const bh_channel *_Nonnull ch, const void *_Nullable f, size_t n) {
    uintptr_t a = (uintptr_t)f;
    uintptr_t lo = (uintptr_t)bh_hot(ch) + sizeof(bh_channel_hot), hi = (uintptr_t)bh_hot(ch) + BH_CHANNEL_STACK_SIZE;
    if (a >= lo && a <= hi && n <= hi - a) return 0;
    uintptr_t base = (uintptr_t)bh_rt.pair_base;
    if (!base || a < base) return -1;
    uintptr_t off = a - base;
    uintptr_t p = off / BH_PAIR_SPAN;
    if (p >= (uintptr_t)bh_rt.npairs) return -1;
    uintptr_t in = off % BH_PAIR_SPAN;
    if (in / BH_CHANNEL_STACK_SIZE != (uintptr_t)(ch - bh_rt.channels)) return -1;
    in %= BH_CHANNEL_STACK_SIZE;
    if (in < BH_SUB_HEADER || n > BH_CHANNEL_STACK_SIZE - in) return -1;
    return (int32_t)p + 1;
}
/* The caller, before it hands frame f over: f is the call posted on its sub-stack (loc: bh_stack_of). */
static inline void bh_frame_post(const bh_channel *_Nonnull ch, int32_t loc, const bh_frame *_Nonnull f) {
    if (loc <= 0) return;
    char *sub = bh_sub(loc - 1, ch);
    __atomic_store_n(&((bh_sub_header *)sub)->posted, (int32_t)((const char *)f - sub), __ATOMIC_RELAXED);
}
/* The caller, when its call came back: no post is left behind (one its callee never took, having died, must
 * not make bytes that later lie there a call). */
static inline void bh_frame_unpost(const bh_channel *_Nonnull ch, int32_t loc) {
    if (loc > 0) __atomic_store_n(&((bh_sub_header *)bh_sub(loc - 1, ch))->posted, 0, __ATOMIC_RELAXED);
}
/* The callee, before it serves frame f (on the sub-stack loc, which it maps): whether f is the call posted
 * there, which it takes (each post is served once). The hand-over words (owner, innermost frame) are
 * anyone's to write; the post lies where only the two parties of the pair can write: a third compartment
 * can aim a hand-over at any bytes of the pair's memory, but cannot make them a posted call. */
static inline int bh_frame_take(const bh_channel *_Nonnull ch, int32_t loc, const bh_frame *_Nonnull f) {
    if (loc <= 0) return 0;
    char *sub = bh_sub(loc - 1, ch);
    int32_t *posted = &((bh_sub_header *)sub)->posted;
    /* one thread of a compartment serves a channel, and the caller waits: a load and a store suffice */
    if (__atomic_load_n(posted, __ATOMIC_ACQUIRE) != (int32_t)((const char *)f - sub)) return 0;
    __atomic_store_n(posted, 0, __ATOMIC_RELAXED);
    return 1;
}
/* Each pair also has a control page, mapped only in its two processes like its region (pairs.c): what main
 * learns from a compartment through memory no third compartment can write. Now: the exit handlers that
 * compartment's process registered (exits.c), each as its slot in that process's private table (+ 1; 0:
 * not published yet) and when it was registered (CLOCK_MONOTONIC ns: the order across processes). */
typedef struct {
    int32_t exit_count;
    int32_t spare;
    struct {
        int64_t stamp;
        int32_t slot;
        int32_t spare;
    } exits[BH_MAX_EXIT_HANDLERS];
} bh_pair_ctl;
static inline bh_pair_ctl *_Nonnull bh_pair_ctl_of(int32_t p) {
    return (bh_pair_ctl *)(bh_rt.pair_ctl + (size_t)p * bh_rt.pair_ctl_size);
}
/* Whether this process maps pair p (the zygote maps every pair). */
static inline int bh_pair_mapped(int32_t p) {
    return bh_rt.is_zygote || bh_rt.pair_a[p] == bh_rt.self_index || bh_rt.pair_b[p] == bh_rt.self_index;
}
/* The caller of frame f, handed over on channel ch: the other party of the pair whose sub-stack holds it,
 * if its gate enters `callee` and this process maps that pair; -1 otherwise (a frame anywhere else was
 * written by someone who is not a party to a call into `callee`). */
static inline int32_t bh_frame_origin_at(int32_t loc, int32_t callee) {
    if (loc <= 0 || !bh_pair_mapped(loc - 1)) return -1;
    int32_t a = bh_rt.pair_a[loc - 1], b = bh_rt.pair_b[loc - 1];
    return callee == a ? b : callee == b ? a : -1;
}
static inline int32_t bh_frame_origin(const bh_channel *_Nonnull ch, const bh_frame *_Nonnull f, int32_t callee) {
    return bh_frame_origin_at(bh_stack_of(ch, f, sizeof(bh_frame)), callee);
}
/* Whether a frame on the stack `loc` (bh_stack_of) lies where this process maps. */
static inline int bh_loc_readable(int32_t loc) { return loc == 0 || (loc > 0 && bh_pair_mapped(loc - 1)); }
/* channels.c: a channel for a thread of this process (one its threads gave back, else a new index, *fresh
 * then set; BH_MAX_CHANNELS or more: none left), kept privately; and how many channels its manager saw. */
int32_t bh_channel_take(int *_Nonnull fresh);
void bh_channel_give_back(int32_t index);
void bh_channels_seen(int32_t n);
int bh_pairs_create(void);                    /* main, before any fork: 0, or -errno */
int bh_pairs_restrict(int32_t self);          /* after a fork: the pairs self is no party to made unreachable;
                                                 0, or -errno */

/* A frame's header fields, as the runtime reads and writes them (bh_frame packs them into 16 bytes). */
static inline int32_t bh_frame_status(const bh_frame *_Nonnull f) { return f->status; }
static inline void bh_frame_set_status(bh_frame *_Nonnull f, int32_t st) { f->status = (int16_t)st; }
static inline int32_t bh_frame_caller(const bh_frame *_Nonnull f) { return f->caller; }
static inline void bh_frame_set_caller(bh_frame *_Nonnull f, int32_t k) { f->caller = (int16_t)k; }
/* The frame enclosing f on channel ch (NULL: none): kept as which of the channel's stacks holds it
 * (bh_stack_of, above bit 18) and its offset there (0: none), decoded with private state only, so that it
 * always lands on one of the channel's stacks. */
static inline bh_frame *_Nullable bh_frame_prev(const bh_channel *_Nonnull ch, const bh_frame *_Nonnull f) {
    uint32_t v = (uint32_t)f->prev, loc = v >> 18, off = v & (BH_CHANNEL_STACK_SIZE - 1);
    if (!v || off < sizeof(bh_channel_hot) || off > BH_CHANNEL_STACK_SIZE - sizeof(bh_frame)) return NULL;
    if (loc == 0) return (bh_frame *)((char *)bh_hot(ch) + off);
    if (loc > (uint32_t)bh_rt.npairs || off < BH_SUB_HEADER) return NULL;
    return (bh_frame *)(bh_sub((int32_t)loc - 1, ch) + off);
}
static inline void bh_frame_set_prev(const bh_channel *_Nonnull ch, bh_frame *_Nonnull f, const bh_frame *_Nullable prev) {
    int32_t loc = prev ? bh_stack_of(ch, prev, sizeof(bh_frame)) : -1;
    uintptr_t off = (uintptr_t)prev & (BH_CHANNEL_STACK_SIZE - 1);
    if (loc == 0) off = (uintptr_t)((const char *)prev - (const char *)bh_hot(ch));
    else if (loc > 0) off = (uintptr_t)((const char *)prev - bh_sub(loc - 1, ch));
    f->prev = loc < 0 ? 0 : (int32_t)(((uint32_t)loc << 18) | (uint32_t)off);
}

/* The compartment a gate enters; -1 for an invalid gate id. Ids from ngates on are the runtime's internal
 * gates (ngates + k enters compartment k; see bh_exit_frame). */
static inline int32_t bh_gate_compartment(int32_t g) {
    const bh_program_desc *p = bh_rt.program;
    if (!p || g < 0) return -1;
    if (g >= p->ngates) return g - p->ngates < p->ncompartments ? g - p->ngates : -1;
    return p->gates[g].compartment;
}
static inline int32_t bh_internal_gate(int32_t k) { return bh_rt.program->ngates + k; }


/* ---- thread-local state ------------------------------------------------------------------------------ */

extern _Thread_local bh_channel *bh_tls_channel __attribute__((tls_model("initial-exec")));
extern _Thread_local bh_frame *bh_tls_serving __attribute__((tls_model("initial-exec")));
extern _Thread_local void *bh_tls_altstack __attribute__((tls_model("initial-exec")));

/* How many bh_poll_fence() waits the calling thread lets pass after handing a channel over, before it first
 * reads the channel's owner word again (bh_wait_owner adapts it). */
extern _Thread_local uint32_t bh_tls_quiet __attribute__((tls_model("initial-exec")));

/* ---- what a callee trusts (lent.c) -------------------------------------------------------------------
 * Anything in the shared region is attacker input: any compartment can write it. So the runtime derives a
 * channel's bounds from process-private state (the record's place in the table, never its shared words),
 * and an entry run for another compartment checks its frame and marshalled pointers against them. */

/* Channel ch's shared stack, [lo, hi), from private state only. */
static inline uintptr_t bh_stack_lo(const bh_channel *_Nonnull ch) { return (uintptr_t)bh_hot(ch) + sizeof(bh_channel_hot); }
static inline uintptr_t bh_stack_hi(const bh_channel *_Nonnull ch) { return (uintptr_t)bh_hot(ch) + BH_CHANNEL_STACK_SIZE; }
/* Whether n bytes at p lie on channel ch's shared stack. */
static inline int bh_on_stack(const bh_channel *_Nonnull ch, const void *_Nullable p, size_t n) {
    uintptr_t a = (uintptr_t)p, lo = bh_stack_lo(ch), hi = bh_stack_hi(ch);
    return a >= lo && a <= hi && n <= hi - a;
}
/* Whether the plan lets compartment `caller` call gate g (internal gates: main only). */
static inline int bh_gate_allows(int32_t g, int32_t caller) {
    const bh_program_desc *p = bh_rt.program;
    if (g >= p->ngates) return caller == 0;
    const uint32_t *m = p->gates[g].callers;
    return !m || (m[caller >> 5] >> (caller & 31)) & 1u;
}
/* The exit status of a program ended because a compartment's call was refused: as if the caller aborted. */
#define BH_REFUSED_STATUS 134
/* serve: frame f, about to run, came from compartment `caller` on channel ch; bh_entry_copy checks it.
 * Returns the mark of this thread's private copies (bh_copy_lent_string), for bh_serve_end. */
size_t bh_serve_begin(bh_channel *_Nonnull ch, const bh_frame *_Nonnull f, int32_t gate, int32_t caller);
/* serve, after the entry: the private copies made since `mark` released (the writable ones copied back
 * where the caller lent them); whether the entry refused the call (then reported, the program is ending). */
int bh_serve_end(size_t mark);
void bh_lent_thread_exit(void);               /* a thread's private copies' memory given back */
/* A refusal found by the runtime itself (a gate the caller may not use): reported, the program ends. */
void bh_refuse(int32_t gate, int32_t caller, const char *_Nonnull why, const char *_Nullable param);

static inline bh_channel *bh_tls_get_channel(void) { return bh_tls_channel; }
static inline void bh_tls_set_channel(bh_channel *c) { bh_tls_channel = c; }
static inline bh_frame *bh_tls_get_serving(void) { return bh_tls_serving; }
static inline void bh_tls_set_serving(bh_frame *f) { bh_tls_serving = f; }
static inline void *bh_tls_get_altstack(void) { return bh_tls_altstack; }
static inline void bh_tls_set_altstack(void *m) { bh_tls_altstack = m; }

/* ---- atomics, futexes and the wait loop: bh_wait.h -------------------------------------------------- */

/* ---- C helpers (sys.c; the processes in processes.c, the address-space layout in layout.c) ---------- */

struct timespec bh_deadline_in(long ns);     /* CLOCK_MONOTONIC now + ns, for bh_futex_wait */

const bh_program_desc *bh_program_copy(const bh_program_desc *p);   /* NULL on allocation failure */
int bh_region_create(size_t heap_size, int32_t ncompartments);      /* 0, or -errno */
void bh_channel_init(int32_t index);          /* a channel handed out for the first time: its stack bounds */
int bh_share_range(uintptr_t start, uintptr_t end);                  /* 0, or -errno */
/* A clone sharing the fd table (quiet: no exit signal, invisible to the parent's wait(NULL)); the child
 * gets PR_SET_PDEATHSIG SIGKILL and exits if its parent is already gone. */
pid_t bh_fork_child(pid_t expected_parent, int quiet);
void bh_zygote_signals(void);                 /* ignore SIGINT/SIGQUIT, block SIGCHLD with a no-op handler */
void bh_zygote_suspend(void);                 /* sigsuspend until a SIGCHLD */
/* Thread attributes whose stack lies in an address range of its own for compartment `self` (slot `index`),
 * so that a pointer into one compartment's thread stack never lands on another process's own stack: read
 * elsewhere it faults. Falls back to the default attributes (returns 1) when the range is taken. */
int bh_peer_thread_attr(pthread_attr_t *attr, int32_t self, int32_t index);
#define BH_MANAGER_SLOT 1024                  /* the stack slot of a compartment process's manager thread */
/* Private mappings (thread stacks, malloc's mmap'd chunks and arenas, the program's own mmap) of different
 * compartments at different addresses, so that a pointer into one's read in another faults: main notes, just
 * before the processes start, the top of the free space below its mappings; compartment k's process
 * reserves [top - k X, top) as PROT_NONE (bh_bands_reserve), so its own mappings come below, and the bands
 * of compartments 0..k-1 are unreachable in it. */
#define BH_BAND ((uintptr_t)64 << 30)
/* main, before any fork, from one reading of its maps: where the bands go, and where the program's frames on
 * main's first thread's stack lie (only when main() is wrapped: argv, the environment and the auxiliary
 * vector above them stay readable). */
void bh_note_layout(void);
/* This process's mappings, ascending (from /proc/self/maps): at most BH_MAX_MAPS; bh_read_maps returns how
 * many, -1 if unreadable. */
#define BH_MAX_MAPS 4096
typedef struct {
    uintptr_t lo, hi;
    int is_stack, is_heap;     /* [stack], [heap] */
    int anonymous;             /* no file, no name */
    int prot;                  /* PROT_READ | PROT_WRITE as readable and writable now */
    int shared;
} bh_map;
extern bh_map bh_maps[BH_MAX_MAPS];
int bh_read_maps(void);
void bh_bands_reserve(int32_t self);
int32_t bh_band_owner(uintptr_t addr);        /* the compartment whose band holds addr, or -1 */
/* After the processes start, in each: the brk heap (laid out the same in every process) stops growing (a
 * PROT_NONE page right after the break), so malloc takes new memory with mmap, in the process's band. */
void bh_brk_wall(void);
/* In a compartment process: its first thread runs on a copy of main's stack, at main's addresses, so a
 * pointer into main's stack would read the copy instead of faulting. Starts `manager(arg)` on a thread of
 * its own (stack slot BH_MANAGER_SLOT), which makes the copy of the program's frames PROT_NONE once the
 * first thread has ended;
 * the first thread ends here. Returns only if that thread cannot be started. */
void bh_leave_initial_stack(int32_t self, void *(*manager)(void *), void *arg);
void bh_child_signals(void);                  /* in a compartment process: undo the zygote's SIGCHLD setup */
int bh_register_on_exit(void (*fn)(int, void *));   /* the runtime's own: to the C library's list (exits.c) */
int bh_register_atfork_child(void (*fn)(void));
/* Linked with -Wl,--wrap=main: __wrap_main (sys.c) calls bh_launch (Swift) before the program's main. */
int bh_main_is_wrapped(void);
void bh_launch(void);
int bh_wstatus_signal(int wstatus);           /* the signal that ended it, or 0 */
int bh_wstatus_code(int wstatus);             /* the exit status if it exited, else -1 */
void bh_shutdown_processes(void);             /* main's exit: kill, let the zygote reap, kill it, reap it */
void bh_kill_all(void);                       /* main: SIGKILL the zygote; the zygote: its children */
void bh_zygote_note_child(int32_t k, pid_t pid);   /* the zygote's private record of compartment k's process */
int32_t bh_zygote_child_index(pid_t pid);     /* the compartment whose process that is, by that record; -1 */
__attribute__((noreturn)) void bh_exit_now(int status);   /* _exit */
/* main: take charge of ending the program. 2: this thread has it now; 1: it had it already (it is in
 * exit()); 0: another thread has it. */
int bh_claim_exit(void);
__attribute__((noreturn)) void bh_park_forever(void);
/* The shared heap (heap.c): this process's arena, and its metadata, private. */
size_t bh_heap_arena_size(size_t requested);  /* one compartment's arena: the requested size rounded up */
int bh_heap_attach(int32_t self);             /* this process allocates from compartment self's arena; 0 or -1 */
int bh_other_writable(const void *_Nullable p);   /* p in memory other compartments can write (heap.c) */
void bh_heap_detach(void);                    /* it allocates with the C library (the zygote) */
void bh_request_termination(int32_t kind, int32_t status);  /* async-signal-safe */
void bh_wake_all_channels(void);

/* ---- the program's exit handlers and destructors (exits.c) ------------------------------------------ */

#define BH_EXIT_CXA 0
#define BH_EXIT_ON_EXIT 1
#define BH_EXIT_OP_HANDLER 0      /* run exit handler number arg */
#define BH_EXIT_OP_FINI 1         /* run destructor arg (index in .fini_array) */
#define BH_EXIT_OP_FLUSH 2        /* fflush(NULL) */

/* The frame of the internal gates (gate id ngates + k enters compartment k), by which main's exit asks a
 * compartment to run its part of the program's exit. */
typedef struct {
    bh_frame h;
    int32_t op;
    int32_t arg;
    int32_t status;
} bh_exit_frame;

int32_t bh_text_owner(uintptr_t addr);        /* the compartment whose code holds addr, or -1 */
int bh_exit_record(int32_t kind, void *_Nullable fn, void *_Nullable arg);  /* 0, or -1: not ordered here */
/* Takes the highest-numbered handler not run yet (-1: none); *owner: the compartment that runs it. */
int32_t bh_exit_next(int32_t *_Nonnull owner);
void bh_exit_run(int32_t seq, int status);    /* runs it if it is this process's own */
int32_t bh_fini_count(void);
int32_t bh_fini_owner(int32_t i);             /* the compartment of destructor i; -1: none (or disabled) */
void bh_fini_run(int32_t i);                  /* runs it if it is this process's compartment's own */
void bh_fini_disable(int32_t i);              /* this process's copy of it becomes a no-op */
void bh_exit_serve(bh_frame *_Nonnull f);     /* the internal gates' entry */
void bh_exit_forked_child(int status);        /* exit() in a child the program forked */

/* Runs gate g's entry on frame f in this process. */
static inline void bh_run_entry(int32_t g, bh_frame *_Nonnull f) {
    if (g >= bh_rt.program->ngates) bh_exit_serve(f);
    else bh_rt.program->gates[g].entry(f);
}

/* ---- reports (one line on fd 2, write(2) only) ------------------------------------------------------ */

void bh_report_fatal(const char *what);                         /* "bulkhead: <what>" */
void bh_report_fatal_num(const char *what, long n);             /* "bulkhead: <what> <n>" */
void bh_report_refused(int32_t self, int32_t gate);
void bh_report_stack_overflow(int32_t channel, size_t size);
void bh_report_region(int32_t comp, const char *region);        /* a region that is not page-aligned */
void bh_report_death(int32_t comp, int wstatus, int restarting);
void bh_report_start_failed(const char *what, int err);

/* ---- faults (faults.c) ------------------------------------------------------------------------------ */

void *bh_altstack_install(void);              /* for the calling thread, if it has none; returns its memory */
void bh_altstack_release(void *mem);
int bh_install_fault_handlers(void);
void bh_fault_handlers_check(void);            /* reinstalls them if something replaced them */
/* main, before the processes start: maps the executable's symbol table, for naming functions in reports */
void bh_function_names_prepare(void);

/* ---- what a process keeps of what it inherited (inherit.c) --------------------------------------------- */

int bh_forget_range(uintptr_t start, uintptr_t end);   /* fresh anonymous PROT_NONE memory there: 0, or -1 */
void bh_forget_stack_residue(void);           /* main, before the other processes: the stack below its frames */
void bh_forget_heap(void);                    /* the blocks of the heap before main() that this process's own
                                                 memory does not reach are wiped (after bh_brk_wall) */

/* ---- confinement (confine.c) ------------------------------------------------------------------------ */

void bh_make_undumpable(void);                /* main, before the other processes exist (they inherit it) */
/* A compartment process other than the default one's: no capabilities, no_new_privs, a Landlock domain of
 * its own (where the kernel has Landlock). 0, or -1 after a report. */
int bh_confine(void);

/* ---- seccomp (seccomp.c) ---------------------------------------------------------------------------- */

void bh_seccomp_prepare(void);                /* before any filter: SIGSYS reports' name table; the unwinder */
const char *bh_syscall_name(long nr);         /* async-signal-safe; "?" if unknown */
int bh_seccomp_install(int32_t comp);         /* baseline (not main) and allowlist: 0, or -1 after a report */

#ifdef __clang__
#pragma clang diagnostic pop
#endif

#ifdef __cplusplus
}
#endif
#endif
