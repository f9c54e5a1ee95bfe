/*
 * lent.c: what a callee trusts of a call from another compartment. The caller writes the frame and its
 * marshalled buffers into shared memory, so it can aim any pointer there at the callee's own memory (a
 * confused deputy: the callee would read its own secrets into the reply, or overwrite its own data) and
 * change any word while the callee reads it. So the entry copies the frame into private memory before use
 * (bh_entry_copy) and checks every marshalled pointer against the memory the caller lent with the frame:
 * what lies above the frame in the sub-stack that the caller and the callee alone share (pairs.c), where
 * the caller's stub copied the buffers (bh_check_lent). The bounds come from process-private state. A call that fails a check is refused as a
 * fault of the caller: reported, and the program ends (the caller is not answered, so it runs no further).
 */
#include "bh_internal_runtime.h"
#include "bh_report.h"

#include <string.h>
#include <sys/mman.h>

/* The call being served on this thread, until its entry has checked it: set by serve (bh_serve_begin),
 * taken by the entry's bh_entry_copy. An entry run without it (a gate of its own compartment, or before the
 * processes start) checks nothing: its frame came from this process. */
static _Thread_local bh_channel *bh_tls_check_ch __attribute__((tls_model("initial-exec")));
static _Thread_local int32_t bh_tls_check_loc __attribute__((tls_model("initial-exec")));   /* its stack */
static _Thread_local int32_t bh_tls_check_gate __attribute__((tls_model("initial-exec")));
static _Thread_local int32_t bh_tls_check_caller __attribute__((tls_model("initial-exec")));
/* What the caller of the entry now checking lent: [lo, hi); lo == 0: no checks. */
static _Thread_local uintptr_t bh_tls_lent_lo __attribute__((tls_model("initial-exec")));
static _Thread_local uintptr_t bh_tls_lent_hi __attribute__((tls_model("initial-exec")));
static _Thread_local int32_t bh_tls_refused __attribute__((tls_model("initial-exec")));

/* Private copies of what the caller lent, where the check depends on the content (strings: where the NUL
 * lies). Checked in place, the caller could remove a string's NUL between the callee's check and its use (a
 * thread of its own, writing the memory it shares with the callee), and the callee would read past what it
 * checked. So the entry gets a copy in this thread's private arena, kept until the entry returns (serve
 * releases the arena to where it stood, after copying back what the callee could write). */
#define BH_LENT_ARENA ((size_t)4 * BH_CHANNEL_STACK_SIZE)
typedef struct bh_lent_copy {
    struct bh_lent_copy *prev;   /* newer copies come after older ones */
    char *orig;                  /* where the caller lent it */
    size_t n;                    /* bytes, the NUL included */
    size_t writable;             /* dir inout/out: copied back when the entry returns */
} bh_lent_copy;
static _Thread_local char *bh_tls_arena __attribute__((tls_model("initial-exec")));
static _Thread_local size_t bh_tls_arena_used __attribute__((tls_model("initial-exec")));
static _Thread_local bh_lent_copy *bh_tls_copies __attribute__((tls_model("initial-exec")));

size_t bh_serve_begin(bh_channel *ch, const bh_frame *f, int32_t gate, int32_t caller) {
    bh_tls_check_ch = ch;
    bh_tls_check_loc = bh_stack_of(ch, f, sizeof *f);
    bh_tls_check_gate = gate;
    bh_tls_check_caller = caller;
    bh_tls_refused = 0;
    return bh_tls_arena_used;
}

int bh_serve_end(size_t mark) {
    bh_tls_check_ch = NULL;   /* an entry that never took it (an internal gate) */
    bh_lent_copy *c = bh_tls_copies;
    if (c && (char *)c >= bh_tls_arena + mark) {
        for (; c && (char *)c >= bh_tls_arena + mark; c = c->prev)
            if (c->writable) memcpy(c->orig, c + 1, c->n);
        bh_tls_copies = c;
    }
    bh_tls_arena_used = mark;
    return bh_tls_refused;
}

void bh_lent_thread_exit(void) {
    if (bh_tls_arena) munmap(bh_tls_arena, BH_LENT_ARENA);
    bh_tls_arena = NULL;
    bh_tls_arena_used = 0;
    bh_tls_copies = NULL;
}

void bh_refuse(int32_t gate, int32_t caller, const char *why, const char *param) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, bh_rt.self_index);
    if (gate < 0) {
        bh_rb_str(&b, " refused a call");
    } else {
        bh_rb_str(&b, " refused gate ");
        if (gate >= bh_rt.program->ngates) bh_rb_str(&b, "'(the program's exit)'");
        else bh_rb_gate(&b, gate);
    }
    if (caller >= 0) {
        bh_rb_str(&b, " from compartment ");
        bh_rb_comp(&b, caller);
    } else {
        bh_rb_str(&b, " from an unknown caller");
    }
    bh_rb_str(&b, ": ");
    if (param) {
        bh_rb_str(&b, "parameter '");
        bh_rb_str(&b, param);
        bh_rb_str(&b, "' ");
    }
    bh_rb_str(&b, why);
    bh_rb_emit(&b);
    bh_request_termination(BH_TERM_FATAL, BH_REFUSED_STATUS);
}

static int refuse_call(const char *why, const char *param) {
    bh_refuse(bh_tls_check_gate, bh_tls_check_caller, why, param);
    bh_tls_refused = 1;
    bh_tls_lent_lo = bh_tls_lent_hi = 0;
    return 1;
}

int bh_entry_copy(void *copy, const bh_frame *frame, size_t size) {
    bh_channel *ch = bh_tls_check_ch;
    bh_tls_check_ch = NULL;
    bh_tls_lent_lo = bh_tls_lent_hi = 0;
    if (!ch) {
        memcpy(copy, frame, size);
        return 0;
    }
    int32_t loc = bh_stack_of(ch, frame, size);
    if (loc <= 0 || loc != bh_tls_check_loc) return refuse_call("sent a frame outside the memory it shares with the callee", NULL);
    memcpy(copy, frame, size);
    bh_tls_lent_lo = (uintptr_t)frame + size;
    bh_tls_lent_hi = (uintptr_t)bh_sub(loc - 1, ch) + BH_CHANNEL_STACK_SIZE;
    return 0;
}

int bh_check_lent(const void *p, size_t size, size_t count, const char *param) {
    if (!p || !bh_tls_lent_lo) return 0;
    size_t n;
    uintptr_t a = (uintptr_t)p;
    if (__builtin_mul_overflow(size, count, &n) || a < bh_tls_lent_lo || a > bh_tls_lent_hi || n > bh_tls_lent_hi - a)
        return refuse_call("is not in memory the caller lent", param);
    return 0;
}

int bh_copy_lent_string(void *slot, int writable, const char *param) {
    const char *p = *(const char **)slot;
    if (!p || !bh_tls_lent_lo) return 0;
    uintptr_t a = (uintptr_t)p;
    const char *end = a < bh_tls_lent_lo || a >= bh_tls_lent_hi ? NULL : memchr(p, 0, bh_tls_lent_hi - a);
    if (!end) return refuse_call("is not a string in memory the caller lent", param);
    size_t n = (size_t)(end - p) + 1;
    size_t need = sizeof(bh_lent_copy) + ((n + 15) & ~(size_t)15);
    if (!bh_tls_arena) {
        void *m = mmap(NULL, BH_LENT_ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) return refuse_call("could not be copied (no memory)", param);
        bh_tls_arena = m;
    }
    if (need > BH_LENT_ARENA - bh_tls_arena_used)
        return refuse_call("is one string too many: the strings lent to a thread's calls at once exceed 1 MiB", param);
    bh_lent_copy *c = (bh_lent_copy *)(bh_tls_arena + bh_tls_arena_used);
    *c = (bh_lent_copy){bh_tls_copies, (char *)p, n, (size_t)(writable != 0)};
    char *copy = (char *)(c + 1);
    memcpy(copy, p, n);
    copy[n - 1] = 0;   /* whatever the caller wrote since the NUL was found */
    bh_tls_copies = c;
    bh_tls_arena_used += need;
    *(const char **)slot = copy;
    return 0;
}

/* ---- what a caller trusts of the answer -------------------------------------------------------------
 * A result that the callee copied back (a gate's `ret` with a size, count or string) lies where the callee's
 * bh_reply_alloc put it: above the frame, in the sub-stack the two share. The pointer and the size are the
 * callee's to write; aimed at the caller's own memory, the caller's stub would copy its own data into the
 * result (and hand it on, perhaps to the callee). */
int bh_check_reply(int32_t gate, const bh_frame *frame, size_t size, const void *p, size_t n) {
    bh_channel *ch = bh_tls_channel;
    if (!p || !ch || !bh_rt.launched) return 0;
    int32_t loc = bh_stack_of(ch, frame, size);
    if (loc <= 0) return 0;   /* a gate of its own compartment: the entry ran here */
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)frame + size, hi = (uintptr_t)bh_sub(loc - 1, ch) + BH_CHANNEL_STACK_SIZE;
    if (a >= lo && a <= hi && n <= hi - a) return 0;
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, bh_rt.self_index);
    bh_rb_str(&b, " refused the result of gate ");
    bh_rb_gate(&b, gate);
    bh_rb_str(&b, " from compartment ");
    bh_rb_comp(&b, bh_gate_compartment(gate));
    bh_rb_str(&b, ": it lies outside the memory the callee lent");
    bh_rb_emit(&b);
    bh_request_termination(BH_TERM_FATAL, BH_REFUSED_STATUS);
    /* the program is ending (main's manager ends it), unless this is the thread of main that runs the exit */
    if (bh_rt.self_index != 0 || __atomic_load_n(&bh_rt.exit_claimed, __ATOMIC_SEQ_CST) != (int32_t)syscall(SYS_gettid))
        bh_park_forever();
    return 1;
}
