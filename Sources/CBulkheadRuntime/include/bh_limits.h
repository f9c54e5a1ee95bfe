/*
 * bh_limits.h: what one gate call can carry (limits.c). A call's frame and its marshalled buffers go on the
 * sub-stack that the calling thread's channel has in the memory of the caller's and callee's pair:
 * BH_CHANNEL_STACK_SIZE bytes, its header included. Nothing larger is copied anywhere else: the shared heap
 * is every compartment's to read and write, and a buffer there in flight would be a third compartment's to
 * read or change.
 */
#ifndef BH_LIMITS_H
#define BH_LIMITS_H

#include "bh_internal_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most that one allocation on a pair's sub-stack can be: the frame, or one marshalled buffer. */
static inline size_t bh_lend_max(void) { return (size_t)BH_CHANNEL_STACK_SIZE - BH_SUB_HEADER; }

/* Caller side: gate `gate` (into `callee`) asked for `size` bytes on the sub-stack, more than bh_lend_max().
 * Reported, naming the gate, the size and the limit; the caller then aborts (a fault of its own). */
void bh_report_lend_too_large(int32_t gate, int32_t callee, size_t size);

#ifdef __cplusplus
}
#endif
#endif
