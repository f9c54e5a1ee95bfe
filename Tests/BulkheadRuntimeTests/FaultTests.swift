// FaultTests.swift: isolation, ungated calls, seccomp, fault policies (abort, restart), exit() in a compartment.

import Foundation
import XCTest

/// Three compartments: main, a (owns a secret page and a helper function), b (does what argv[1] says).
private let threeCompartments = #"""
#include "bht.h"
#include <signal.h>
static PAGE(char a_secret[4096]) = "TOPSECRET-a1b2c3";
static PAGE(char b_bss[4096]);
struct fr { bh_frame h; void *p; int n; int ret; int pid; };
enum { G_A_SECRET, G_A_FN, G_B_PEEK, G_B_CALL, G_B_CRASH, G_B_OPEN, G_B_BYE, G_A_VIA_B, G_B_WHO };
IN(1) static int a_helper(int x) { return x + a_secret[0]; }
IN(1) void e_a_secret(bh_frame *h) { ((struct fr *)h)->p = a_secret; }
IN(1) void e_a_fn(bh_frame *h) { ((struct fr *)h)->p = (void *)a_helper; }
IN(2) void e_b_peek(bh_frame *h) { struct fr *f = (void *)h; printf("b read: %s\n", (char *)f->p); }
IN(2) void e_b_call(bh_frame *h) { struct fr *f = (void *)h; f->ret = ((int (*)(int))f->p)(1); }
static int b_calls;
IN(2) void e_b_crash(bh_frame *h) {
    struct fr *f = (void *)h;
    b_bss[0]++;
    f->ret = ++b_calls;
    f->pid = getpid();
    if (f->n == 0 && b_calls % 3 == 0) *(volatile int *)0 = 1;
    if (f->n == 1) abort();
    if (f->n == 2) { volatile int num = 7, z = 0; f->ret = num / z; }
    if (f->n == 3) raise(SIGKILL);
}
IN(2) void e_b_open(bh_frame *h) {
    struct fr *f = (void *)h;
    printf("b can still print\n");
    fflush(stdout);
    f->ret = open("/etc/hostname", O_RDONLY);
}
IN(2) void e_b_bye(bh_frame *h) {
    struct fr *f = (void *)h;
    printf("b says bye");
    exit(f->n);
}
/* a call on a copy of f in the gate's own frame memory (f serves several gates here) */
static void call(int g, struct fr *f) {
    struct fr *c = GATE_FRAME(struct fr, g);
    memcpy(c, f, sizeof *c);
    bh_call(g, &c->h);
    memcpy(f, c, sizeof *c);
    bh_stack_free(c);
}
/* a calls b: exit() two processes away from main */
IN(1) void e_a_via_b(bh_frame *h) {
    struct fr *f = (void *)h;
    printf("a before b\n");
    struct fr *g = NEW_FRAME(struct fr);
    g->n = f->n;
    call(G_B_BYE, g);
    printf("a after b (never)\n");
}
IN(2) void e_b_who(bh_frame *h) { struct fr *f = (void *)h; f->pid = getpid(); f->ret = getppid(); }
static bh_compartment_desc comps[3];
static bh_gate_desc gates[9];
static const char *const b_syscalls[] = {"read", "write", NULL};
__attribute__((constructor)) static void start(void) {
    comps[0] = (bh_compartment_desc){.name = "main"};
    comps[1] = (bh_compartment_desc){.name = "a", .text = TEXT_REGION(1), .data = OBJ_REGION(a_secret)};
    comps[2] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(2), .bss = OBJ_REGION(b_bss),
                                     .on_fault = B_ON_FAULT, .syscalls = B_SYSCALLS};
    gates[G_A_SECRET] = (bh_gate_desc){"a_secret", 1, e_a_secret};
    gates[G_A_FN] = (bh_gate_desc){"a_fn", 1, e_a_fn};
    gates[G_B_PEEK] = (bh_gate_desc){"b_peek", 2, e_b_peek};
    gates[G_B_CALL] = (bh_gate_desc){"b_call", 2, e_b_call};
    gates[G_B_CRASH] = (bh_gate_desc){"crashy", 2, e_b_crash};
    gates[G_B_OPEN] = (bh_gate_desc){"open_file", 2, e_b_open};
    gates[G_B_BYE] = (bh_gate_desc){"bye", 2, e_b_bye};
    gates[G_A_VIA_B] = (bh_gate_desc){"via_b", 1, e_a_via_b};
    gates[G_B_WHO] = (bh_gate_desc){"who", 2, e_b_who};
    START("faults", comps, gates);
}
"""#

private func program(onFault: String = "BH_ON_FAULT_ABORT", syscalls: String = "NULL", main: String) -> String {
    "#define B_ON_FAULT \(onFault)\n#define B_SYSCALLS \(syscalls)\n" + threeCompartments + main
}

final class FaultTests: XCTestCase {
    func testReadingAnotherCompartmentsSecretIsReportedNamingBoth() throws {
        let exe = try Harness.build("isolation", program(main: #"""
        int main(void) {
            struct fr *f = NEW_FRAME(struct fr);
            call(G_A_SECRET, f);
            printf("main has the address %p\n", f->p);
            fflush(stdout);
            call(G_B_PEEK, f);
            printf("main after the peek (never)\n");
            return 0;
        }
        """#))
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 128 + 11, r.stdout + r.stderr)
        XCTAssertFalse(r.stdout.contains("TOPSECRET"), r.stdout)
        XCTAssertFalse(r.stderr.contains("TOPSECRET"), r.stderr)
        XCTAssertFalse(r.stdout.contains("never"))
        let addr = r.stdout.split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'b' touched the memory of compartment 'a' at \(addr)"),
                      r.stderr)
        XCTAssertTrue(r.stderr.contains("(serving gate 'b_peek')"), r.stderr)
    }

    func testMainReadingTheSecretIsReportedToo() throws {
        let exe = try Harness.build("isolation_main", program(main: #"""
        int main(void) {
            struct fr *f = NEW_FRAME(struct fr);
            call(G_A_SECRET, f);
            printf("%s\n", (char *)f->p);
            return 0;
        }
        """#))
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 128 + 11, r.stdout + r.stderr)
        XCTAssertFalse(r.stdout.contains("TOPSECRET"))
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'main' touched the memory of compartment 'a' at 0x"), r.stderr)
        XCTAssertTrue(r.stderr.contains("(no gate)"), r.stderr)
    }

    /// B calls a function of A through a pointer that A handed out: an ungated call. Built as `name`.
    private func ungatedCallProgram(_ name: String) throws -> String {
        try Harness.build(name, program(main: #"""
        int main(void) {
            struct fr *f = NEW_FRAME(struct fr);
            call(G_A_FN, f);
            call(G_B_CALL, f);
            printf("returned %d (never)\n", f->ret);
            return 0;
        }
        """#))
    }

    func testUngatedCallIntoAnotherCompartmentNamesTheFunction() throws {
        let r = try Harness.run(try ungatedCallProgram("ungated"))
        XCTAssertEqual(r.status, 128 + 11, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("bulkhead: ungated call into compartment 'a': function a_helper"), r.stderr)
        XCTAssertTrue(r.stderr.contains("from compartment 'b', serving gate 'b_call'"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    func testUngatedCallInAStrippedProgramGivesTheOffset() throws {
        let exe = try ungatedCallProgram("ungated_stripped")
        try Harness.check(Harness.shell(["strip", exe]), "stripping")
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 128 + 11, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("bulkhead: ungated call into compartment 'a': function ?+0x"), r.stderr)
    }

    func testSeccompDeniesOpenAndNamesTheCall() throws {
        let exe = try Harness.build("seccomp", program(syscalls: "b_syscalls", main: #"""
        int main(void) {
            struct fr *f = NEW_FRAME(struct fr);
            int fd = open("/etc/hostname", O_RDONLY);
            printf("main may open: %d\n", fd >= 0);
            fflush(stdout);
            call(G_B_OPEN, f);
            printf("b opened %d (never)\n", f->ret);
            return 0;
        }
        """#))
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 128 + 31, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout, "main may open: 1\nb can still print\n")
        XCTAssertTrue(r.stderr.contains(
            "bulkhead: compartment 'b' faulted while serving gate 'open_file': denied system call 'openat' (257)"), r.stderr)
    }

    func testSeccompInMainAllowsTheRuntimeAndDeniesTheRest() throws {
        try seccompInMain(wrapMain: true)
    }

    /// Without -Wl,--wrap=main the filter waits for main's first gate call (constructors after the
    /// runtime's, the Swift runtime's among them, need more than main's list).
    func testSeccompInMainWithoutWrappedMain() throws {
        try seccompInMain(wrapMain: false)
    }

    private func seccompInMain(wrapMain: Bool) throws {
        let exe = try Harness.build(wrapMain ? "seccomp_main" : "seccomp_main_nowrap", #"""
        #include "bht.h"
        struct fr { bh_frame h; int v; };
        IN(1) void e_b(bh_frame *h) { ((struct fr *)h)->v = 5; }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[1];
        static const char *const main_syscalls[] = {"read", NULL};
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main", .syscalls = main_syscalls};
            comps[1] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(1)};
            gates[0] = (bh_gate_desc){"b", 1, e_b};
            START("seccomp_main", comps, gates);
        }
        int main(int argc, char **argv) {
            struct fr *f = GATE_FRAME(struct fr, 0);
            bh_call(0, &f->h);
            printf("b says %d\n", f->v);
            fflush(stdout);
            if (argc > 1) printf("parent %d (never)\n", (int)getppid());
            return 0;
        }
        """#, wrapMain: wrapMain)
        let ok = try Harness.run(exe)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "b says 5\n")
        XCTAssertEqual(ok.stderr, "")
        let denied = try Harness.run(exe, ["getppid"])
        XCTAssertEqual(denied.status, 128 + 31, denied.stderr)
        XCTAssertEqual(denied.stdout, "b says 5\n")
        XCTAssertEqual(denied.stderr, "bulkhead: compartment 'main' faulted (no gate): denied system call 'getppid' (110)\n")
    }

    /// A waiting thread that keeps finding the thread it waits for on its own CPU moves itself to an idle
    /// one (bh_move_off_cpu, called here directly): its CPU mask is as it was afterwards, whether it moved
    /// or not (whether a CPU is idle depends on the machine), and where a syscall allowlist applies it does
    /// not try (it reads /proc/loadavg to know), so the filter is never hit.
    func testMovingOffACPUKeepsTheMaskAndStaysClearOfAnAllowlist() throws {
        let exe = try Harness.build("move_off_cpu", #"""
        #define _GNU_SOURCE
        #include <sched.h>
        #include "bht.h"
        #include "bh_internal_runtime.h"
        struct fr { bh_frame h; int cpus, kept, moved; };
        /* narrows this thread's mask to its CPU and one other, moves (whether a CPU is idle or not: the load
         * of the machine decides that, and the test must see a move), and says whether it left its CPU and
         * whether the narrowed mask is back */
        static void move(struct fr *f) {
            cpu_set_t all, two, after;
            sched_getaffinity(0, sizeof all, &all);
            int here = sched_getcpu(), other = -1;
            for (int c = 0; c < CPU_SETSIZE && other < 0; c++) if (c != here && CPU_ISSET(c, &all)) other = c;
            CPU_ZERO(&two); CPU_SET(here, &two);
            if (other >= 0) CPU_SET(other, &two);
            f->cpus = CPU_COUNT(&two);
            sched_setaffinity(0, sizeof two, &two);
            f->moved = bh_move_to_another_cpu();
            sched_getaffinity(0, sizeof after, &after);
            f->kept = CPU_EQUAL(&after, &two);
            sched_setaffinity(0, sizeof all, &all);
        }
        IN(1) void e_b(bh_frame *h) { move((struct fr *)h); }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[1];
        static const char *const only_read[] = {"read", NULL};
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main", .syscalls = only_read};
            comps[1] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(1)};
            gates[0] = (bh_gate_desc){"b", 1, e_b};
            START("move_off_cpu", comps, gates);
        }
        int main(void) {
            struct fr *f = GATE_FRAME(struct fr, 0);
            bh_call(0, &f->h);
            printf("b: moved %d, mask kept %d\n", f->moved, f->kept);
            int b_cpus = f->cpus;
            usleep(2000);   /* tries are rationed per channel: one a millisecond at most */
            cpu_set_t before, after;   /* main may not set its mask itself: its allowlist says no */
            sched_getaffinity(0, sizeof before, &before);
            bh_move_off_cpu(bh_tls_get_channel());
            sched_getaffinity(0, sizeof after, &after);
            printf("main, under its allowlist: mask kept %d\n", CPU_EQUAL(&before, &after));
            return b_cpus == 2 ? 0 : 3;
        }
        """#)
        let r = try Harness.run(exe)
        if r.status == 3 { throw XCTSkip("one CPU: nowhere to move to") }
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(r.stdout, "b: moved 1, mask kept 1\nmain, under its allowlist: mask kept 1\n")
    }

    func testRestartFailsTheCrashingCallAndServesTheNextOne() throws {
        let exe = try Harness.build("restart", program(onFault: "BH_ON_FAULT_RESTART", main: #"""
        int main(void) {
            struct fr *f = NEW_FRAME(struct fr);
            int first = 0;
            for (int i = 1; i <= 7; i++) {
                f->n = 0; f->ret = -1; f->pid = 0;
                call(G_B_CRASH, f);
                if (i == 1) first = f->pid;
                printf("call %d: status %d ret %d %s\n", i, f->h.status, f->h.status == BH_RETURN ? f->ret : -1,
                       f->h.status != BH_RETURN ? "-" : f->pid == first ? "first process" : "new process");
            }
            return 0;
        }
        """#))
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout, """
            call 1: status 1 ret 1 first process
            call 2: status 1 ret 2 first process
            call 3: status 2 ret -1 -
            call 4: status 1 ret 1 new process
            call 5: status 1 ret 2 new process
            call 6: status 2 ret -1 -
            call 7: status 1 ret 1 new process

            """)
        let line = "bulkhead: compartment 'b' faulted while serving gate 'crashy': SIGSEGV at 0x0; restarting"
        XCTAssertEqual(r.stderr, line + "\n" + line + "\n")
    }

    func testRestartWhileOtherThreadsCallIn() throws {
        let exe = try Harness.build("restart_threads", #"""
        #include "bht.h"
        struct fr { bh_frame h; int x, ret; };
        static long served;
        IN(1) void e_work(bh_frame *h) {
            struct fr *f = (void *)h;
            if (__atomic_add_fetch(&served, 1, __ATOMIC_SEQ_CST) % 997 == 0) *(volatile int *)0 = 1;
            f->ret = f->x * 3;
        }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[1];
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "w", .text = TEXT_REGION(1), .on_fault = BH_ON_FAULT_RESTART};
            gates[0] = (bh_gate_desc){"work", 1, e_work};
            START("restart_threads", comps, gates);
        }
        static long faulted, wrong;
        static void *worker(void *arg) {
            for (int i = 0; i < 3000; i++) {
                struct fr *f = GATE_FRAME(struct fr, 0);
                f->x = i;
                bh_call(0, &f->h);
                if (f->h.status == BH_FAULTED) __atomic_add_fetch(&faulted, 1, __ATOMIC_SEQ_CST);
                else if (f->h.status != BH_RETURN || f->ret != i * 3) __atomic_add_fetch(&wrong, 1, __ATOMIC_SEQ_CST);
                bh_stack_free(f);
            }
            return NULL;
        }
        int main(void) {
            pthread_t t[4];
            for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, NULL);
            for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
            printf("faulted some %d, wrong %ld\n", faulted > 0, wrong);
            return 0;
        }
        """#)
        let r = try Harness.run(exe, timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "faulted some 1, wrong 0\n")
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'w' faulted while serving gate 'work': SIGSEGV at 0x0; restarting"),
                      r.stderr)
    }

    func testRestartAfterAKillFromOutside() throws {
        let exe = try Harness.build("restart_kill", program(onFault: "BH_ON_FAULT_RESTART", main: #"""
        int main(void) {
            struct fr *f = NEW_FRAME(struct fr);
            f->n = 3;
            call(G_B_CRASH, f);
            printf("killed: status %d\n", f->h.status);
            f->n = 4;
            call(G_B_CRASH, f);
            printf("next: status %d ret %d\n", f->h.status, f->ret);
            return 0;
        }
        """#))
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout, "killed: status 2\nnext: status 1 ret 1\n")
        XCTAssertEqual(r.stderr, "bulkhead: compartment 'b' was killed by signal 9 (KILL); restarting\n")
    }

    func testAbortPolicyEndsTheProgram() throws {
        let exe = try Harness.build("abort", program(main: #"""
        int main(int argc, char **argv) {
            struct fr *f = NEW_FRAME(struct fr);
            f->n = argc > 1 ? atoi(argv[1]) : 0;
            printf("before\n");
            for (int i = 0; i < 3; i++) call(G_B_CRASH, f);
            printf("after (never)\n");
            return 0;
        }
        """#))
        let segv = try Harness.run(exe)
        XCTAssertEqual(segv.status, 128 + 11, segv.stdout + segv.stderr)
        XCTAssertEqual(segv.stdout, "before\n")
        XCTAssertEqual(segv.stderr, "bulkhead: compartment 'b' faulted while serving gate 'crashy': SIGSEGV at 0x0\n")
        let abrt = try Harness.run(exe, ["1"])
        XCTAssertEqual(abrt.status, 128 + 6, abrt.stdout + abrt.stderr)
        XCTAssertEqual(abrt.stderr, "bulkhead: compartment 'b' faulted while serving gate 'crashy': SIGABRT (abort)\n")
        let fpe = try Harness.run(exe, ["2"])
        XCTAssertEqual(fpe.status, 128 + 8, fpe.stdout + fpe.stderr)
        XCTAssertTrue(fpe.stderr.hasPrefix("bulkhead: compartment 'b' faulted while serving gate 'crashy': SIGFPE at 0x"),
                      fpe.stderr)
        let killed = try Harness.run(exe, ["3"])
        XCTAssertEqual(killed.status, 128 + 9, killed.stdout + killed.stderr)
        XCTAssertEqual(killed.stderr, "bulkhead: compartment 'b' was killed by signal 9 (KILL)\n")
    }

    func testFaultInMainIsReportedAndEndsEverything() throws {
        let exe = try Harness.build("mainfault", program(main: #"""
        int main(void) {
            struct fr *f = NEW_FRAME(struct fr);
            call(G_B_WHO, f);
            printf("%d %d\n", f->pid, f->ret);
            fflush(stdout);
            *(volatile int *)8 = 1;
            return 0;
        }
        """#))
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 128 + 11, r.stdout + r.stderr)
        XCTAssertEqual(r.stderr, "bulkhead: compartment 'main' faulted (no gate): SIGSEGV at 0x8\n")
        let pids = r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
        XCTAssertEqual(pids.count, 2)
        for pid in pids { XCTAssertTrue(waitGone(pid, 2), "process \(pid) survived") }
    }

    func testExitInACompartmentEndsTheProgramWithItsStatus() throws {
        let exe = try Harness.build("exit", program(main: #"""
        int main(int argc, char **argv) {
            struct fr *f = NEW_FRAME(struct fr);
            f->n = 7;
            printf("main before\n");
            call(argc > 1 ? G_A_VIA_B : G_B_BYE, f);
            printf("main after (never)\n");
            return 0;
        }
        """#))
        let direct = try Harness.run(exe)
        XCTAssertEqual(direct.status, 7, direct.stdout + direct.stderr)
        XCTAssertEqual(direct.stdout, "main before\nb says bye")
        XCTAssertEqual(direct.stderr, "")
        let chained = try Harness.run(exe, ["chain"])
        XCTAssertEqual(chained.status, 7, chained.stdout + chained.stderr)
        XCTAssertEqual(chained.stdout, "main before\na before b\nb says bye")
        XCTAssertEqual(chained.stderr, "")
    }
}

func waitGone(_ pid: Int32, _ seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if Harness.isGone(pid) { return true }
        usleep(10000)
    }
    return Harness.isGone(pid)
}
