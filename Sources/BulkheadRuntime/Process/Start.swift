// Start.swift: bh_runtime_start and the processes it makes.
//
// bh_runtime_start (from the generated constructor) checks and copies the descriptor and, before any fork,
// maps the shared region (control block, channels with their shared stacks, shared heap) from a memfd, so
// the region has the same address in every process, and maps the shared globals over themselves from a
// memfd. Then it launches the processes: at once, or, when the program was linked with -Wl,--wrap=main,
// when main() is entered (bh_launch), so that every constructor has run first (in one process, where gates
// are plain calls) and the compartment processes inherit what the constructors initialised.
//
// Launching forks the zygote, which stays single-threaded and pristine and forks every compartment process
// (and, on a fault under on_fault = restart, a fresh one). Every process then protects the other
// compartments' regions, installs the fault handlers, gives up what reaches other processes (confine.c)
// and installs its seccomp filters. Compartment processes never return: their main thread becomes the
// manager that starts one peer thread per channel; main gets a manager thread too (for channels of threads
// that compartment processes start, and to end the program when a compartment asks).
//
// No Foundation, no Swift concurrency: this links statically into C programs. State lives in C (bh_rt, the
// control block), not in Swift globals; reports take StaticString, so that no Swift runtime call is made.

import CBulkheadRuntime
import Glibc

/// Exit status of a program whose runtime cannot start (bad descriptor, no memory, no fork).
@inline(__always) func startFailureStatus() -> Int32 { 70 }

func startFailed(_ what: StaticString, _ err: Int32 = 0) -> Never {
    bh_report_start_failed(cs(what), err)
    bh_exit_now(startFailureStatus())
}

@_cdecl("bh_self")
public func bhSelf() -> Int32 {
    bh_rt_self()
}

@_cdecl("bh_runtime_start")
public func bhRuntimeStart(_ program: UnsafePointer<bh_program_desc>?) {
    let rt = bh_rt_ptr()
    guard let program = program else { startFailed("bh_runtime_start(NULL)") }
    if rt.pointee.started != 0 { startFailed("bh_runtime_start called twice") }
    if program.pointee.abi_version != BH_ABI_VERSION { startFailed("the program was built for another runtime ABI") }
    validate(program)
    guard let copy = bh_program_copy(program) else { startFailed("out of memory", ENOMEM) }
    rt.pointee.program = copy
    rt.pointee.self_index = 0
    rt.pointee.pid = getpid()
    let n = copy.pointee.ncompartments
    let heap = copy.pointee.shared_heap_size == 0 ? Int(BH_DEFAULT_SHARED_HEAP) : copy.pointee.shared_heap_size
    let rc = bh_region_create(heap, n)
    if rc != 0 { startFailed("cannot create the shared region", -rc) }
    let ctrl = bh_ctrl_ptr()
    ctrl.pointee.ncompartments = n
    ctrl.pointee.main_pid = getpid()
    bh_comp(0).pointee.started = 1
    let shared = copy.pointee.shared
    let src = bh_share_range(shared.start, shared.end)
    if src != 0 { startFailed("cannot share the shared globals", -src) }
    let prc = bh_pairs_create()
    if prc != 0 { startFailed("cannot create the memory that pairs of compartments share", -prc) }
    var k: Int32 = 0
    while k < n {
        if bh_comp_desc(k).pointee.syscalls != nil { bh_seccomp_prepare() }
        k += 1
    }
    if pthread_key_create(&rt.pointee.channel_key, channelThreadExit) != 0 {
        startFailed("cannot create a thread key")
    }
    rt.pointee.multi = n > 1 ? 1 : 0
    rt.pointee.started = 1
    // Linked with -Wl,--wrap=main: the processes start when main() is entered, after every constructor
    // (bh_launch, from __wrap_main). Otherwise now, and main's own filter waits for its first gate use.
    if bh_main_is_wrapped() == 0 { launch(filterNow: false) }
}

/// main() is about to run (the program was linked with -Wl,--wrap=main): start the processes.
@_cdecl("bh_launch")
public func bhLaunch() {
    let rt = bh_rt_ptr()
    if rt.pointee.started == 1 && rt.pointee.launched == 0 { launch(filterNow: true) }
}

/// Forks the zygote (which forks the compartment processes), then sets up main as compartment 0.
private func launch(filterNow: Bool) {
    let rt = bh_rt_ptr()
    let ctrl = bh_ctrl_ptr()
    let n = bh_ncompartments()
    rt.pointee.launched = 1
    if n > 1 {
        bh_function_names_prepare()
        bh_note_layout()
        bh_make_undumpable()  // every process of the program, the zygote and compartments by inheritance
        bh_forget_stack_residue()  // what the constructors left below main's frames, before any process copies it
        fflush(nil)  // nothing buffered may be written twice by the other processes
        let zygote = bh_fork_child(getpid(), 1)
        if zygote < 0 { startFailed("cannot fork", bh_errno()) }
        if zygote == 0 { zygoteMain() }
        ctrl.pointee.zygote_pid = zygote  // for reports; main acts only on its private copy
        rt.pointee.zygote_pid = zygote
    }
    setUpProcess(0, filter: filterNow)
    if !filterNow && bh_comp_desc(0).pointee.syscalls != nil { rt.pointee.filter_pending = 1 }
    if n > 1 {
        _ = bh_register_on_exit(mainOnExit)
        _ = bh_register_atfork_child(forkedByProgram)
        var tid = pthread_t()
        if pthread_create(&tid, nil, mainManagerThread, nil) != 0 { startFailed("cannot create a thread", bh_errno()) }
        pthread_detach(tid)
    }
}

/// Without -Wl,--wrap=main, main's seccomp filter is loaded when main first uses a gate (or the shared
/// stack): loading it in the constructor would deny the system calls of the constructors that run after it
/// (the Swift runtime's own read /proc/self/maps).
func loadPendingFilter() {
    let rt = bh_rt_ptr()
    if bh_cas(&rt.pointee.filter_pending, 1, 0) != 0 && bh_seccomp_install(0) != 0 {
        bh_exit_now(startFailureStatus())
    }
}

/// Refuses a descriptor the runtime cannot honour: with a report, before anything starts.
private func validate(_ p: UnsafePointer<bh_program_desc>) {
    let n = p.pointee.ncompartments
    if n < 1 || n > BH_MAX_COMPARTMENTS || p.pointee.compartments == nil {
        startFailed("the number of compartments must be 1 to 256")
    }
    if p.pointee.ngates < 0 || (p.pointee.ngates > 0 && p.pointee.gates == nil) { startFailed("bad gate table") }
    var g: Int32 = 0
    while g < p.pointee.ngates {
        let gate = p.pointee.gates.advanced(by: Int(g))
        if gate.pointee.compartment < 0 || gate.pointee.compartment >= n || gate.pointee.entry == nil {
            bh_report_fatal_num(cs("bad gate (compartment out of range or no entry):"), Int(g))
            startFailed("bad gate table")
        }
        g += 1
    }
    var k: Int32 = 0
    while k < n {
        let c = p.pointee.compartments.advanced(by: Int(k))
        checkAligned(c.pointee.text, k, "text")
        checkAligned(c.pointee.rodata, k, "rodata")
        checkAligned(c.pointee.data, k, "data")
        checkAligned(c.pointee.bss, k, "bss")
        k += 1
    }
    let s = p.pointee.shared
    let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
    if s.end > s.start && (s.start % page != 0 || s.end % page != 0) {
        startFailed("the shared globals region is not page-aligned")
    }
}

private func checkAligned(_ r: bh_region, _ k: Int32, _ name: StaticString) {
    let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
    if r.end > r.start && (r.start % page != 0 || r.end % page != 0) {
        bh_report_region(k, cs(name))
        startFailed("bad region")
    }
}

/// In every process: the other compartments' memory out of reach, the fault handlers, the filter.
private func setUpProcess(_ me: Int32, filter: Bool = true) {
    let n = bh_ncompartments()
    if n > 1 {
        bh_brk_wall()
        let pr = bh_pairs_restrict(me)
        if pr != 0 { startFailed("cannot take the other pairs' memory out of reach", -pr) }
    }
    var k: Int32 = 0
    while k < n {
        if k != me {
            let c = bh_comp_desc(k)
            protect(c.pointee.text, k)
            forget(c.pointee.rodata, k)
            forget(c.pointee.data, k)
            forget(c.pointee.bss, k)
        }
        k += 1
    }
    if n > 1 { bh_forget_heap() }  // with the other compartments' data gone, what only it reached goes too
    bh_tls_set_altstack(bh_altstack_install())
    let hr = bh_install_fault_handlers()
    if hr != 0 { startFailed("cannot install the fault handlers", -hr) }
    if me != 0 && bh_confine() != 0 { bh_exit_now(startFailureStatus()) }
    if filter && bh_seccomp_install(me) != 0 { bh_exit_now(startFailureStatus()) }
}

/// Another compartment's data in this process: replaced by fresh memory, so that undoing the protection
/// (mprotect is in every allowlist) or reading it through /proc/self/mem shows zeros, not the copy this
/// process inherited (inherit.c).
private func forget(_ r: bh_region, _ k: Int32) {
    if bh_forget_range(r.start, r.end) != 0 {
        bh_report_region(k, cs("(mmap failed)"))
        startFailed("cannot take a compartment's memory out of a process", bh_errno())
    }
}

/// Another compartment's code in this process: not executable (it is in the executable file anyway).
private func protect(_ r: bh_region, _ k: Int32) {
    if r.end <= r.start { return }
    if mprotect(UnsafeMutableRawPointer(bitPattern: r.start), Int(r.end - r.start), PROT_NONE) != 0 {
        bh_report_region(k, cs("(mprotect failed)"))
        startFailed("cannot protect a compartment's memory", bh_errno())
    }
}

// MARK: the zygote

private func zygoteMain() -> Never {
    let rt = bh_rt_ptr()
    rt.pointee.is_zygote = 1
    rt.pointee.pid = getpid()
    bh_tls_set_channel(nil)  // main's thread may have had one (constructors)
    let ctrl = bh_ctrl_ptr()
    ctrl.pointee.zygote_pid = getpid()
    bh_zygote_signals()
    let n = bh_ncompartments()
    var k: Int32 = 1
    while k < n {
        forkCompartment(k)
        k += 1
    }
    while true {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { break }
            compartmentDied(pid, status)
        }
        bh_zygote_suspend()
    }
}

private func forkCompartment(_ k: Int32) {
    let pid = bh_fork_child(getpid(), 0)
    if pid == 0 { compartmentMain(k) }
    if pid < 0 {
        bh_report_start_failed(cs("cannot fork a compartment process"), bh_errno())
        bh_request_termination(BH_TERM_FATAL, startFailureStatus())
        return
    }
    bh_zygote_note_child(k, pid)
    bh_store(&bh_comp(k).pointee.pid, pid)
}

/// The zygote reaped compartment k's process. Restart it (on_fault = restart, after a fault or a kill),
/// or end the program. Only now, with every thread of the dead process gone, are its frames failed.
private func compartmentDied(_ pid: pid_t, _ status: Int32) {
    let ctrl = bh_ctrl_ptr()
    let n = bh_ncompartments()
    let k = bh_zygote_child_index(pid)  // not the shared pid words, which any compartment can write
    if k < 1 || k >= n { return }
    let cs = bh_comp(k)
    if bh_load(&ctrl.pointee.terminating) != BH_TERM_NONE || bh_load(&ctrl.pointee.shutdown) != 0 {
        recoverAll(k)
        markDead(cs)
        return
    }
    let restartable = bh_comp_desc(k).pointee.on_fault == Int32(BH_ON_FAULT_RESTART.rawValue)
        && bh_load(&cs.pointee.started) == 1
    if bh_load(&cs.pointee.fault_reported) == 1 && restartable {
        restart(k)
        return
    }
    let sig = bh_wstatus_signal(status)
    if sig != 0 {
        bh_report_death(k, status, restartable ? 1 : 0)
        if restartable {
            restart(k)
            return
        }
        bh_request_termination(BH_TERM_FATAL, 128 + sig)
    } else {
        // _exit(code) in the compartment (exit() goes through compartmentOnExit and sets terminating)
        bh_request_termination(BH_TERM_FATAL, bh_wstatus_code(status))
    }
    recoverAll(k)
    markDead(cs)
}

/// A compartment's process is gone for good (reaped by the zygote): main's exit may be waiting for it.
private func markDead(_ cs: UnsafeMutablePointer<bh_comp_state>) {
    bh_store(&cs.pointee.alive, 0)
    bh_wake_word(&cs.pointee.alive)
}

private func restart(_ k: Int32) {
    let cs = bh_comp(k)
    recoverAll(k)
    bh_store(&cs.pointee.fault_reported, 0)
    bh_store(&cs.pointee.started, 0)
    _ = bh_fetch_add(&cs.pointee.generation, 1)
    forkCompartment(k)
}

/// Fails the frames that compartment k (whose process is dead) held: every channel it owns goes back.
private func recoverAll(_ k: Int32) {
    let n = channelCount()
    var i: Int32 = 0
    while i < n {
        let ch = bh_channel_at(i)
        if bh_load(&ch.pointee.ready) == 1 && bh_load(&bh_hot(ch).pointee.owner) == k { _ = recover(ch, k) }
        i += 1
    }
}

// MARK: compartment processes

private func compartmentMain(_ k: Int32) -> Never {
    let rt = bh_rt_ptr()
    rt.pointee.is_zygote = 0
    rt.pointee.self_index = k
    rt.pointee.pid = getpid()
    bh_child_signals()
    _ = bh_register_on_exit(compartmentOnExit)
    _ = bh_register_atfork_child(forkedByProgram)
    bh_bands_reserve(k)
    setUpProcess(k)
    bh_store(&bh_comp(k).pointee.started, 1)
    bh_leave_initial_stack(k, compartmentManagerThread, UnsafeMutableRawPointer(bitPattern: Int(k) + 1))
    managerLoop(k)  // where the first thread could not hand over: it stays on the copy of main's stack
}

private func compartmentManagerThread(_ arg: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    bh_tls_set_altstack(bh_altstack_install())
    managerLoop(Int32(Int(bitPattern: arg) - 1))
}

/// Starts a peer thread for every new channel (except channels whose home is this compartment: their own
/// thread serves them while it waits); in main, also ends the program when a compartment asks.
private func managerLoop(_ me: Int32) -> Never {
    let rt = bh_rt_ptr()
    let ctrl = bh_ctrl_ptr()
    var created: Int32 = 0
    while true {
        let seen = bh_load(&ctrl.pointee.event)
        if me == 0 && bh_load(&ctrl.pointee.terminating) != BH_TERM_NONE && bh_load(&rt.pointee.exit_claimed) == 0 {
            terminateFromMain()
        }
        let n = channelCount()
        while created < n {
            let ch = bh_channel_at(created)
            if !(bh_load(&ch.pointee.ready) == 1 && ch.pointee.home == me) {
                var tid = pthread_t()
                let arg = UnsafeMutableRawPointer(bitPattern: Int(created) + 1)
                var attr = pthread_attr_t()
                _ = bh_peer_thread_attr(&attr, me, created)
                defer { pthread_attr_destroy(&attr) }
                if pthread_create(&tid, &attr, peerThread, arg) != 0 {
                    bh_report_fatal(cs("cannot create a peer thread"))
                    bh_request_termination(BH_TERM_FATAL, startFailureStatus())
                    bh_exit_now(startFailureStatus())
                }
                pthread_detach(tid)
            }
            created += 1
        }
        bh_wait_word(&ctrl.pointee.event, seen)
    }
}

private func mainManagerThread(_ arg: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    bh_tls_set_altstack(bh_altstack_install())
    managerLoop(0)
}

private func peerThread(_ arg: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    peerLoop(Int32(Int(bitPattern: arg) - 1))
    return nil
}

// MARK: ending the program

/// main's exit (return from main, exit()): after the program's own handlers, every other process goes.
/// If another thread of main is already ending the program (a compartment asked), this one waits for it.
private func mainOnExit(_ status: Int32, _ arg: UnsafeMutableRawPointer?) {
    let rt = bh_rt_ptr()
    if getpid() != rt.pointee.pid {
        bh_exit_forked_child(status)
        return
    }
    if bh_claim_exit() == 0 { bh_park_forever() }
    runProgramExit(status)
    bh_shutdown_processes()
}

/// The exit of the unpartitioned program, each part in its own process: the handlers registered with
/// atexit/on_exit (newest first, across compartments), then the destructors (last in the array first), then
/// every other process's stdio flushed. A compartment that cannot be reached (dead) is skipped.
private func runProgramExit(_ status: Int32) {
    var k: Int32 = 0
    while true {
        let seq = bh_exit_next(&k)
        if seq < 0 { break }
        if k == 0 { bh_exit_run(seq, status) } else { exitCall(k, BH_EXIT_OP_HANDLER, seq, status) }
    }
    var i = bh_fini_count() - 1
    while i >= 0 {
        let k = bh_fini_owner(i)
        if k >= 0 {
            if k == 0 { bh_fini_run(i) } else { exitCall(k, BH_EXIT_OP_FINI, i, status) }
            bh_fini_disable(i)  // the C library's _dl_fini runs only what lies outside every compartment
        }
        i -= 1
    }
    k = 1
    while k < bh_ncompartments() {
        exitCall(k, BH_EXIT_OP_FLUSH, 0, status)
        k += 1
    }
}

/// An internal gate into compartment k (main only), on the calling thread's channel like any gate.
private func exitCall(_ k: Int32, _ op: Int32, _ arg: Int32, _ status: Int32) {
    if bh_load(&bh_comp(k).pointee.alive) == 0 { return }
    guard let raw = bhFrameAlloc(bh_internal_gate(k), MemoryLayout<bh_exit_frame>.size, MemoryLayout<bh_exit_frame>.alignment) else { return }
    let f = raw.assumingMemoryBound(to: bh_exit_frame.self)
    f.pointee.op = op
    f.pointee.arg = arg
    f.pointee.status = status
    bhCall(bh_internal_gate(k), UnsafeMutableRawPointer(f).assumingMemoryBound(to: bh_frame.self))
    bhStackFree(raw)
}

/// exit(status) in a compartment process: flush, record the status, hand the frame being served back to its
/// caller marked BH_ST_EXIT (the caller's process exits in turn, up to main), then let this process end.
private func compartmentOnExit(_ status: Int32, _ arg: UnsafeMutableRawPointer?) {
    let rt = bh_rt_ptr()
    if getpid() != rt.pointee.pid {
        bh_exit_forked_child(status)
        return
    }
    let ctrl = bh_ctrl_ptr()
    if bh_load(&ctrl.pointee.terminating) == BH_TERM_FATAL { return }
    fflush(nil)
    _ = bh_cas(&ctrl.pointee.term_status, -1, status & 0xff)
    _ = bh_cas(&ctrl.pointee.terminating, BH_TERM_NONE, BH_TERM_EXIT)
    if let f = bh_tls_get_serving(), let ch = bh_tls_get_channel() {
        let caller = bh_frame_origin(ch, f, rt.pointee.self_index)
        bh_frame_set_status(f, BH_ST_EXIT)
        bh_tls_set_serving(nil)
        bh_hot(ch).pointee.top = f  // the caller finds its own frame (not one this process made, elsewhere)
        bh_owner_hand(ch, caller)
        // main runs the program's exit and may call in on this channel (this compartment's exit handlers,
        // destructors): this thread goes on serving it until main ends the process
        serveForever(ch, rt.pointee.self_index)
    }
    bh_request_termination(BH_TERM_EXIT, status)
    bh_park_forever()  // the other threads serve main's exit; main ends this process
}

/// In a child the program forks: it is not a compartment; its thread has no channel.
private func forkedByProgram() {
    bh_tls_set_channel(nil)
    bh_tls_set_serving(nil)
}

/// main ends the program as a compartment asked (exit(status) or a fatal fault). One thread does it; any
/// other thread of main that gets here sleeps until the process ends. Returns only to the thread that is
/// already ending the program (in exit(), its atexit handlers calling gates).
func terminateFromMain() {
    switch bh_claim_exit() {
    case 0: bh_park_forever()
    case 1: return
    default: break
    }
    let ctrl = bh_ctrl_ptr()
    let status = bh_load(&ctrl.pointee.term_status)
    if bh_load(&ctrl.pointee.terminating) == BH_TERM_EXIT { exit(status) }
    bh_flush_std()
    bh_shutdown_processes()
    bh_exit_now(status)
}

/// A frame came back marked BH_ST_EXIT: this process exits with the program's status (in a compartment
/// process this runs compartmentOnExit, which passes it on to the caller of the frame being served).
func exitFromCaller(_ me: Int32) -> Never {
    let status = bh_load(&bh_ctrl_ptr().pointee.term_status)
    if me == 0 {
        terminateFromMain()
        bh_exit_now(status)  // exit() called again while in exit(): end now
    }
    exit(status)
}

/// A C string from a literal, without the Swift runtime (no String, no allocation).
@inline(__always) func cs(_ s: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Channels handed out so far (bounded by the table's size).
@inline(__always) func channelCount() -> Int32 {
    let n = bh_load(&bh_ctrl_ptr().pointee.nchannels)
    return n < BH_MAX_CHANNELS ? n : BH_MAX_CHANNELS
}
