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

void bh_serve_begin(bh_channel *ch, const bh_frame *f, int32_t gate, int32_t caller) {
    bh_tls_check_ch = ch;
    bh_tls_check_loc = bh_stack_of(ch, f, sizeof *f);
    bh_tls_check_gate = gate;
    bh_tls_check_caller = caller;
    bh_tls_refused = 0;
}

int bh_serve_refused(void) {
    bh_tls_check_ch = NULL;   /* an entry that never took it (an internal gate) */
    return bh_tls_refused;
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

int bh_check_lent_string(const char *p, const char *param) {
    if (!p || !bh_tls_lent_lo) return 0;
    uintptr_t a = (uintptr_t)p;
    if (a < bh_tls_lent_lo || a >= bh_tls_lent_hi || !memchr(p, 0, bh_tls_lent_hi - a))
        return refuse_call("is not a string in memory the caller lent", param);
    return 0;
}
