// Unwind.swift: the caller's side of a longjmp across gates (unwind.c has the rest).

import CBulkheadRuntime

/// bh_call's own frame came back BH_ST_UNWOUND: a longjmp in the callee's compartment (or further in) left
/// the call. bh_unwind_arrived jumps to the target, or leaves the call this thread serves in turn; it
/// returns only when the target is no active frame of this thread's callers, after reporting it as a fault
/// of the callee. The program is ending then.
func unwound(_ frame: UnsafeMutablePointer<bh_frame>, _ gate: Int32, _ callee: Int32, _ me: Int32) -> Never {
    _ = bh_unwind_arrived(frame, gate, callee)
    if me == 0 { terminateFromMain() }
    bh_park_forever()
}
