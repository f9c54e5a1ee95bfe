/*
 * limits.c: the report for a gate call that asks more of the pair's memory than a sub-stack holds.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_limits.h"
#include "bh_report.h"

void bh_report_lend_too_large(int32_t gate, int32_t callee, size_t size) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, bh_rt.self_index);
    bh_rb_str(&b, ": gate ");
    bh_rb_gate(&b, gate);
    bh_rb_str(&b, " into compartment ");
    bh_rb_comp(&b, callee);
    bh_rb_str(&b, " marshals ");
    bh_rb_dec(&b, (long)size);
    bh_rb_str(&b, " bytes in one piece; a call carries at most ");
    bh_rb_dec(&b, (long)bh_lend_max());
    bh_rb_str(&b, " (its frame and buffers, per thread): pass a larger buffer in shared memory (shared.heap, no args: entry)");
    bh_rb_emit(&b);
}
