// Call.swift: gates on migrating threads.
//
// Every program thread that makes a gate call owns a channel (a logical thread): an owner word (the
// compartment running it now, also the futex word), the innermost pending frame, and a shared stack. A call
// pushes its frame and hands the channel to the callee's compartment; the caller then waits until the
// channel comes back to its compartment, serving whatever calls arrive for it meanwhile (callbacks,
// recursion). In every other compartment a peer thread per channel waits for the channel and serves it.
// No lock and no allocation on this path: pointer stores, one seq_cst store and, only when someone sleeps,
// one futex wake per crossing.

import CBulkheadRuntime
import Glibc

@_cdecl("bh_call")
public func bhCall(_ gate: Int32, _ frame: UnsafeMutablePointer<bh_frame>?) {
    guard let frame = frame else {
        bh_report_fatal(cs("bh_call with a NULL frame"))
        abort()
    }
    let rt = bh_rt_ptr()
    let target = bh_gate_compartment(gate)
    let me = rt.pointee.self_index
    if rt.pointee.started == 0 {
        // before bh_runtime_start (an earlier constructor): there is no gate table yet
        bh_report_fatal_num(cs("a gate was called before bh_runtime_start; gate"), Int(gate))
        abort()
    }
    if target < 0 {
        bh_report_fatal_num(cs("bh_call with an invalid gate"), Int(gate))
        abort()
    }
    if target == me || rt.pointee.launched == 0 {
        // its own compartment, or before main() (constructors): everything is still one process
        bh_run_entry(gate, frame)
        bh_frame_set_status(frame, BH_ST_RETURN)
        return
    }
    let ctrl = bh_ctrl_ptr()
    if bh_load(&ctrl.pointee.shutdown) != 0
        || (bh_load(&ctrl.pointee.terminating) != BH_TERM_NONE && bh_load(&bh_comp(target).pointee.alive) == 0) {
        bh_frame_set_status(frame, BH_ST_FAULTED)
        faultedWhileEnding(me)
        return
    }
    let ch = bh_tls_get_channel() ?? acquireChannel()
    bh_flush_std()
    let hot = bh_hot(ch)
    let err = bh_errno()
    // the stores to the channel's hot line in one burst, so that the line moves once while the callee polls it
    frame.pointee.gate = gate
    bh_frame_set_caller(frame, me)
    frame.pointee.err = err
    bh_frame_set_status(frame, BH_ST_CALL)
    let outer = hot.pointee.top  // kept privately: the channel's words are anyone's to write
    bh_frame_set_prev(ch, frame, outer)
    hot.pointee.top = frame
    bh_owner_hand(ch, target)
    while true {
        let r = bh_wait_owner(ch, me)
        if r != 0 {
            waitInterrupted(ch, r, me)
            continue
        }
        guard let f = hot.pointee.top else { internalError("empty channel") }
        // a frame other than this call's own must be a call into this compartment, in memory it shares with
        // the caller alone: that memory names the caller
        let caller = f == frame ? me : bh_frame_origin(ch, f, me)
        if caller < 0 { internalError("a frame in memory this compartment shares with no caller") }
        let st = bh_frame_status(f)
        if st == BH_ST_EXIT { exitFromCaller(me) }
        if f == frame {
            if st == BH_ST_CALL || st == BH_ST_SERVING { internalError("a call came back unanswered") }
            hot.pointee.top = outer
            bh_set_errno(f.pointee.err)
            if st == BH_ST_FAULTED && bh_load(&ctrl.pointee.terminating) != BH_TERM_NONE { faultedWhileEnding(me) }
            return
        }
        if st != BH_ST_CALL { internalError("a return reached the wrong frame") }
        serve(ch, f, me, caller)
    }
}

/// Runs the request on top of the channel in this compartment (from `caller`, as bh_frame_origin found from
/// where the frame lies) and hands the channel back to the caller.
@inline(__always)
private func serve(_ ch: UnsafeMutablePointer<bh_channel>, _ f: UnsafeMutablePointer<bh_frame>, _ me: Int32, _ caller: Int32) {
    // each word of the frame read once: the caller can change them meanwhile
    let gate = f.pointee.gate
    if bh_gate_compartment(gate) != me {
        bh_report_refused(me, gate)
        bh_frame_set_status(f, BH_ST_FAULTED)
        bh_owner_hand(ch, caller)
        return
    }
    if bh_gate_allows(gate, caller) == 0 {
        bh_refuse(gate, caller, cs("the plan gives that compartment no use of it"), nil)
        bh_park(ch, me)  // the caller is not answered: main ends the program
        return
    }
    let outer = bh_tls_get_serving()
    bh_tls_set_serving(f)
    bh_frame_set_status(f, BH_ST_SERVING)  // a forged hand-over of this frame does not run it twice
    bh_set_errno(f.pointee.err)
    bh_serve_begin(ch, f, gate, caller)
    bh_run_entry(gate, f)
    let err = bh_errno()
    bh_tls_set_serving(outer)
    if bh_serve_refused() != 0 {
        bh_park(ch, me)
        return
    }
    bh_flush_std()
    f.pointee.err = err
    bh_frame_set_status(f, BH_ST_RETURN)
    bh_owner_hand(ch, caller)
}

/// A wait in main was interrupted: the program is terminating (1), or a 20 ms poll while terminating (2),
/// when a gate into a compartment that died for good is failed here (the zygote has finished with it).
private func waitInterrupted(_ ch: UnsafeMutablePointer<bh_channel>, _ r: Int32, _ me: Int32) {
    if r == 1 { terminateFromMain() }
    let o = bh_load(&bh_hot(ch).pointee.owner)
    let n = bh_ncompartments()
    if o != me && o >= 0 && o < n && bh_load(&bh_comp(o).pointee.alive) == 0 { _ = recover(ch, o) }
}

/// A gate failed because its compartment died while the program is ending: main ends it now (unless a
/// thread of main already does, e.g. in exit()); a compartment process waits to be killed, running no more
/// of the program after a fatal fault.
private func faultedWhileEnding(_ me: Int32) {
    let terminating = bh_load(&bh_ctrl_ptr().pointee.terminating)
    if terminating == BH_TERM_NONE { return }  // main's own exit: the gate just fails
    if me == 0 {
        terminateFromMain()
    } else if terminating == BH_TERM_FATAL {
        bh_park_forever()
    }
}

/// The body of a peer thread: serves channel `index` in this compartment, forever.
func peerLoop(_ index: Int32) {
    let ch = bh_channel_at(index)
    bh_wait_word(&ch.pointee.ready, 0)
    let me = bh_rt_self()
    if ch.pointee.home == me { return }  // its own thread serves it
    bh_tls_set_channel(ch)
    bh_tls_set_altstack(bh_altstack_install())
    serveForever(ch, me)
}

/// Serves channel `ch` in this compartment until the process ends: a peer thread's life, and what a thread
/// that called exit() while serving does once it has handed its frame back (main's exit may call in again).
func serveForever(_ ch: UnsafeMutablePointer<bh_channel>, _ me: Int32) -> Never {
    while true {
        let r = bh_wait_owner(ch, me)
        if r != 0 {
            waitInterrupted(ch, r, me)
            continue
        }
        guard let f = bh_hot(ch).pointee.top else {
            bh_park(ch, me)
            continue
        }
        // a caller found means the frame lies in memory this process shares with it (so it can be read);
        // only without one is it worth asking whether the frame can be read at all
        let caller = bh_frame_origin(ch, f, me)
        if caller < 0 && bh_frame_readable(ch, f) == 0 {
            // handed a frame in memory this compartment does not map: from no caller it shares memory with
            bh_refuse(-1, -1, cs("its frame lies outside the memory this compartment shares with any caller"), nil)
            bh_park(ch, me)
            continue
        }
        let st = bh_frame_status(f)
        if st == BH_ST_CALL && caller >= 0 {
            serve(ch, f, me, caller)
        } else if st == BH_ST_CALL && bh_stack_of(ch, f, MemoryLayout<bh_frame>.size) == 0 {
            // a call handed over on the channel's own stack, which every compartment can write: no caller
            // can be told from it (a gate's frame lies in the memory its two parties alone share)
            bh_refuse(f.pointee.gate, -1, cs("the frame lies in memory every compartment can write"), nil)
            bh_park(ch, me)
        } else if st == BH_ST_EXIT {
            exitFromCaller(me)
        } else if !recover(ch, me) {
            bh_park(ch, me)
        }
    }
}

/// Channel `ch` is owned by compartment k, but the process of k that held it is gone (a fresh process
/// finds a return meant for its predecessor, or the zygote cleans up after a death). Fails the innermost
/// frame k was serving (or delivers it, if k had answered it) and hands the channel to its caller; frames
/// k made above it are dropped. False if there is nothing to answer (the channel's own thread is gone).
/// Only frames on the channel's stacks that this process maps are read (the links are shared memory).
func recover(_ ch: UnsafeMutablePointer<bh_channel>, _ k: Int32) -> Bool {
    var cur = bh_hot(ch).pointee.top
    while let f = cur, bh_frame_readable(ch, f) != 0 {
        let caller = bh_frame_origin(ch, f, k)
        if bh_gate_compartment(f.pointee.gate) == k && caller >= 0 {
            let st = bh_frame_status(f)
            if st == BH_ST_CALL || st == BH_ST_SERVING { bh_frame_set_status(f, BH_ST_FAULTED) }
            bh_hot(ch).pointee.top = f
            bh_owner_hand(ch, caller)
            return true
        }
        cur = bh_frame_prev(ch, f)
    }
    return false
}

private func internalError(_ what: StaticString) -> Never {
    bh_report_fatal(cs(what))
    abort()
}

// MARK: channels

/// Gives the calling thread a channel: one its compartment released, or a new one (peer threads for it
/// start in the other processes). Called once per thread.
func acquireChannel() -> UnsafeMutablePointer<bh_channel> {
    let rt = bh_rt_ptr()
    let ctrl = bh_ctrl_ptr()
    let me = rt.pointee.self_index
    var reused: Int32 = -1
    bh_chan_lock()
    let head = bh_free_head(me)
    // the free list is shared memory: a link to no channel handed out so far (or to one of another home)
    // drops the list rather than lead this thread to write where it points
    if head.pointee >= 0 && head.pointee < channelCount() && bh_channel_at(head.pointee).pointee.home == me {
        reused = head.pointee
        let c = bh_channel_at(reused)
        head.pointee = c.pointee.next_free
        c.pointee.next_free = -1
    } else if head.pointee >= 0 {
        head.pointee = -1
    }
    bh_chan_unlock()
    let c: UnsafeMutablePointer<bh_channel>
    if reused >= 0 {
        c = bh_channel_at(reused)
    } else {
        let index = bh_fetch_add(&ctrl.pointee.nchannels, 1)
        if index >= BH_MAX_CHANNELS {
            bh_report_fatal_num(cs("too many threads made gate calls; the limit is"), Int(BH_MAX_CHANNELS))
            abort()
        }
        bh_channel_init(index)
        c = bh_channel_at(index)
        c.pointee.home = me
        bh_hot(c).pointee.top = nil
        bh_store(&bh_hot(c).pointee.owner, me)
        bh_store(&c.pointee.ready, 1)
        bh_wake_word(&c.pointee.ready)
        _ = bh_fetch_add(&ctrl.pointee.event, 1)
        bh_wake_word(&ctrl.pointee.event)
    }
    bh_tls_set_channel(c)
    if rt.pointee.launched != 0 {
        bh_fault_handlers_check()
        if me == 0 { loadPendingFilter() }
    }
    if bh_tls_get_altstack() == nil { bh_tls_set_altstack(bh_altstack_install()) }
    pthread_setspecific(rt.pointee.channel_key, UnsafeRawPointer(c))
    return c
}

/// Thread exit (pthread key destructor): an idle channel goes back to its compartment's free list.
func channelThreadExit(_ arg: UnsafeMutableRawPointer?) {
    guard let arg = arg else { return }
    let ch = arg.assumingMemoryBound(to: bh_channel.self)
    bh_tls_set_channel(nil)
    bh_altstack_release(bh_tls_get_altstack())
    bh_tls_set_altstack(nil)
    if bh_hot(ch).pointee.top != nil || bh_load(&bh_hot(ch).pointee.owner) != ch.pointee.home { return }
    ch.pointee.sp = UnsafeMutablePointer<CChar>(bitPattern: bh_stack_lo(ch))
    bh_chan_lock()
    let head = bh_free_head(ch.pointee.home)
    ch.pointee.next_free = head.pointee
    head.pointee = ch.pointee.index
    bh_chan_unlock()
}

// MARK: the shared stack and the pairs' sub-stacks

/// The stack pointer of one of channel ch's stacks (`loc` as bh_stack_of gives it) and its bounds [lo, hi),
/// from private state: the pointer itself lies in shared memory and is checked wherever it is used.
private func stackOf(_ ch: UnsafeMutablePointer<bh_channel>, _ loc: Int32)
    -> (sp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, lo: UInt, hi: UInt) {
    if loc == 0 {
        let sp = UnsafeMutableRawPointer(ch).advanced(by: MemoryLayout<bh_channel>.offset(of: \bh_channel.sp)!)
        return (sp.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self), bh_stack_lo(ch), bh_stack_hi(ch))
    }
    let sub = bh_sub(loc - 1, ch)
    let lo = UInt(bitPattern: sub) + UInt(BH_SUB_HEADER)
    return (UnsafeMutableRawPointer(sub).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self), lo,
            lo - UInt(BH_SUB_HEADER) + UInt(BH_CHANNEL_STACK_SIZE))
}

private func allocate(_ ch: UnsafeMutablePointer<bh_channel>, _ loc: Int32, _ size: Int, _ align: Int) -> UnsafeMutableRawPointer? {
    var a = UInt(align < 16 ? 16 : align)
    if a & (a &- 1) != 0 { a = 16 }  // not a power of two: the frame's own alignment is at most 16
    let (spw, lo, limit) = stackOf(ch, loc)
    var sp = UInt(bitPattern: spw.pointee)
    if sp == 0 { sp = lo }  // a sub-stack never used: its memory file is zero
    let p = (sp &+ a &- 1) & ~(a &- 1)
    if sp < lo || p > limit || UInt(size) > limit &- p {
        bh_report_stack_overflow(ch.pointee.index, size)
        abort()
    }
    spw.pointee = UnsafeMutablePointer<CChar>(bitPattern: p &+ UInt(size))
    return UnsafeMutableRawPointer(bitPattern: p)
}

@_cdecl("bh_stack_alloc")
public func bhStackAlloc(_ size: Int, _ align: Int) -> UnsafeMutableRawPointer? {
    let rt = bh_rt_ptr()
    if rt.pointee.started == 0 {
        var p: UnsafeMutableRawPointer? = nil
        let a = align < 16 || align & (align - 1) != 0 ? 16 : align
        if posix_memalign(&p, a, size == 0 ? 1 : size) != 0 {
            bh_report_fatal(cs("bh_stack_alloc: out of memory"))
            abort()
        }
        return p
    }
    return allocate(bh_tls_get_channel() ?? acquireChannel(), 0, size, align)
}

@_cdecl("bh_frame_alloc")
public func bhFrameAlloc(_ gate: Int32, _ size: Int, _ align: Int) -> UnsafeMutableRawPointer? {
    let rt = bh_rt_ptr()
    let callee = bh_gate_compartment(gate)
    // where bh_call will run the entry in this process (before the processes start, or a gate of its own)
    if rt.pointee.started == 0 || rt.pointee.launched == 0 || callee == rt.pointee.self_index || callee < 0 {
        return bhStackAlloc(size, align)
    }
    let p = bh_pair(rt.pointee.self_index, callee)
    if p < 0 { return bhStackAlloc(size, align) }  // a gate the plan gives this compartment no use of: refused
    return allocate(bh_tls_get_channel() ?? acquireChannel(), p + 1, size, align)
}

@_cdecl("bh_reply_alloc")
public func bhReplyAlloc(_ frame: UnsafePointer<bh_frame>?, _ size: Int, _ align: Int) -> UnsafeMutableRawPointer? {
    guard bh_rt_ptr().pointee.started != 0, let ch = bh_tls_get_channel() else { return bhStackAlloc(size, align) }
    let loc = bh_stack_of(ch, frame, MemoryLayout<bh_frame>.size)
    return loc > 0 ? allocate(ch, loc, size, align) : bhStackAlloc(size, align)
}

@_cdecl("bh_stack_free")
public func bhStackFree(_ p: UnsafeMutableRawPointer?) {
    guard let p = p else { return }
    let rt = bh_rt_ptr()
    if rt.pointee.started == 0 {
        free(p)  // from bh_stack_alloc before bh_runtime_start (posix_memalign)
        return
    }
    // anything else than a pointer into one of this thread's stacks (one taken before the start) is left alone
    guard let ch = bh_tls_get_channel() else { return }
    let loc = bh_stack_of(ch, p, 0)
    if loc < 0 { return }
    let (spw, lo, hi) = stackOf(ch, loc)
    let a = UInt(bitPattern: p)
    let sp = UInt(bitPattern: spw.pointee)
    if a >= lo && a <= sp {
        // what p and everything after it carried is cleared: no later call on this thread finds it
        memset(p, 0, Int(min(sp, hi) - a))
        spw.pointee = p.assumingMemoryBound(to: CChar.self)
    }
}
