/*
 * bh_unwind.h: longjmp across gates (unwind.c). A jump in a callee's compartment to a jmp_buf of an active
 * caller's frame ends the gate calls in between: serve() runs entries through bh_serve_entry, answers a
 * call that a jump left with BH_ST_UNWOUND, and the caller's bh_call hands such an answer to
 * bh_unwind_arrived.
 */
#ifndef BH_UNWIND_H
#define BH_UNWIND_H

#include "bh_internal_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BH_ST_UNWOUND 5       /* the entry was left by a longjmp to a frame outside the call (unwind.c) */

/* Runs gate `gate`'s entry on frame f for another compartment. Returns 0 when it returned; 1 when a jump to
 * a target outside the call left it (*env, *val: the jump; the locals it had moved to the shared stack are
 * released). */
int bh_serve_entry(int32_t gate, bh_frame *_Nonnull f, void *_Nullable *_Nonnull env, int32_t *_Nonnull val);
/* The callee's answer to a call that a jump left: the jmp_buf's address and the value, in the header. */
void bh_frame_set_unwound(bh_frame *_Nonnull f, void *_Nullable env, int32_t val);
/* The caller's bh_call got BH_ST_UNWOUND for its own frame f (gate `gate` into `callee`): frees the frame
 * and jumps to the target if it is an active frame of this thread in this process, or leaves the call this
 * thread serves the same way if the target lies beyond it. Returns only after reporting a target that is
 * neither, as a fault of the callee (the program is ending: BH_TERM_FATAL). */
int bh_unwind_arrived(bh_frame *_Nonnull f, int32_t gate, int32_t callee);

#ifdef __cplusplus
}
#endif
#endif
