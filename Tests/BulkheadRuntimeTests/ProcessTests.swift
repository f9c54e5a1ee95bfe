// ProcessTests.swift: no orphans (kill -9 of main, normal exit), channel reuse by short-lived threads,
// shared stack overflow, shared globals.

import Foundation
import XCTest

private let pidsProgram = #"""
#include "bht.h"
#include <signal.h>
struct fr { bh_frame h; int pid, ppid; };
enum { G_A, G_B };
IN(1) void e_a(bh_frame *h) { struct fr *f = (void *)h; f->pid = getpid(); f->ppid = getppid(); }
IN(2) void e_b(bh_frame *h) { struct fr *f = (void *)h; f->pid = getpid(); f->ppid = getppid(); }
static bh_compartment_desc comps[3];
static bh_gate_desc gates[2];
__attribute__((constructor)) static void start(void) {
    comps[0] = (bh_compartment_desc){.name = "main"};
    comps[1] = (bh_compartment_desc){.name = "a", .text = TEXT_REGION(1)};
    comps[2] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(2), .on_fault = BH_ON_FAULT_RESTART};
    gates[G_A] = (bh_gate_desc){"a", 1, e_a};
    gates[G_B] = (bh_gate_desc){"b", 2, e_b};
    START("pids", comps, gates);
}
int main(int argc, char **argv) {
    struct fr *f = GATE_FRAME(struct fr, G_A);
    bh_call(G_A, &f->h);
    int a = f->pid, zygote = f->ppid;
    f = GATE_FRAME(struct fr, G_B);
    bh_call(G_B, &f->h);
    printf("%d %d %d\n", a, f->pid, zygote);
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "sleep") == 0) for (;;) pause();
    if (argc > 1 && strcmp(argv[1], "exit") == 0) exit(3);
    return 0;
}
"""#

final class ProcessTests: XCTestCase {
    private func pids(_ line: String) -> [Int32] {
        line.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
    }

    func testKillNineOfMainLeavesNoProcessBehind() throws {
        let exe = try Harness.build("orphans", pidsProgram)
        var children: [Int32] = []
        var killedAt = Date()
        let r = try Harness.run(exe, ["sleep"], timeout: 30) { process, out in
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = out.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            children = self.pids(String(decoding: line, as: UTF8.self))
            killedAt = Date()
            kill(process.processIdentifier, SIGKILL)
        }
        XCTAssertEqual(r.status, 128 + 9)
        XCTAssertEqual(children.count, 3, "a, b, zygote")
        for pid in children {
            XCTAssertTrue(waitGone(pid, 2 - Date().timeIntervalSince(killedAt)), "process \(pid) outlived main by 2 s")
        }
    }

    func testNormalExitLeavesNoProcessBehind() throws {
        let exe = try Harness.build("orphans_exit", pidsProgram)
        for args in [[], ["exit"]] {
            let r = try Harness.run(exe, args)
            XCTAssertEqual(r.status, args.isEmpty ? 0 : 3, r.stderr)
            let children = pids(r.stdout)
            XCTAssertEqual(children.count, 3)
            for pid in children { XCTAssertTrue(waitGone(pid, 1), "process \(pid) outlived main") }
        }
    }

    func testShortLivedThreadsReuseChannelsAndSharedGlobals() throws {
        let exe = try Harness.build("channels", #"""
        #include "bht.h"
        /* a shared global: one copy for every process */
        static PAGE(long shared_counter[512]);
        struct fr { bh_frame h; long v; };
        enum { G_ADD };
        IN(1) void e_add(bh_frame *h) {
            struct fr *f = (void *)h;
            f->v = __atomic_add_fetch(&shared_counter[0], f->v, __ATOMIC_SEQ_CST);
        }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[1];
        __attribute__((constructor)) static void start(void) {
            static bh_program_desc p;
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(1)};
            gates[G_ADD] = (bh_gate_desc){"add", 1, e_add};
            shared_counter[1] = 99;  /* set before the start: every process sees it */
            p = (bh_program_desc){BH_ABI_VERSION, "channels", 2, comps, 1, gates, OBJ_REGION(shared_counter), 0};
            bh_runtime_start(&p);
        }
        static void *one_call(void *arg) {
            struct fr *f = GATE_FRAME(struct fr, G_ADD);
            f->v = 1;
            bh_call(G_ADD, &f->h);
            long ok = f->h.status == BH_RETURN;
            bh_stack_free(f);
            return (void *)ok;
        }
        int main(void) {
            long ok = 0;
            for (int round = 0; round < 150; round++) {   /* 3000 threads in all, more than there are channels */
                pthread_t t[20];
                for (int i = 0; i < 20; i++) pthread_create(&t[i], NULL, one_call, NULL);
                for (int i = 0; i < 20; i++) { void *r; pthread_join(t[i], &r); ok += (long)r; }
            }
            printf("calls %ld, shared counter %ld, set before start %ld\n", ok, shared_counter[0], shared_counter[1]);
            return 0;
        }
        """#)
        let r = try Harness.run(exe, timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "calls 3000, shared counter 3000, set before start 99\n")
    }

    func testSharedStackOverflowIsReported() throws {
        let exe = try Harness.build("overflow", #"""
        #include "bht.h"
        static bh_compartment_desc comps[1];
        static bh_gate_desc gates[1];
        void e_none(bh_frame *h) { (void)h; }
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            gates[0] = (bh_gate_desc){"none", 0, e_none};
            START("overflow", comps, gates);
        }
        int main(void) {
            void *a = bh_stack_alloc(200000, 16);
            printf("first %s\n", a ? "ok" : "null");
            fflush(stdout);
            void *b = bh_stack_alloc(100000, 16);
            printf("second %p (never)\n", b);
            return 0;
        }
        """#)
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 128 + 6, r.stderr)
        XCTAssertEqual(r.stdout, "first ok\n")
        XCTAssertTrue(r.stderr.hasPrefix(
            "bulkhead: compartment 'main': shared stack overflow (channel 0, 100000 bytes asked, 262144 per thread)\n"),
            r.stderr)
    }
}

final class StartTests: XCTestCase {
    /// Linked with -Wl,--wrap=main, the processes start at main(): a compartment's constructor that runs after
    /// bh_runtime_start's still initialises that compartment's memory (in one process, inherited by the
    /// compartment's), and a constructor may call gates (plain calls, before main).
    func testConstructorsRunBeforeTheProcessesStart() throws {
        let exe = try Harness.build("ctors", #"""
        #include "bht.h"
        static PAGE(char lib_state[4096]);
        struct fr { bh_frame h; char text[64]; int self; };
        enum { G_STATE };
        IN(1) void e_state(bh_frame *h) { struct fr *f = (void *)h; strcpy(f->text, lib_state); f->self = bh_self(); }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[1];
        __attribute__((constructor(101))) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "lib", .text = TEXT_REGION(1), .bss = OBJ_REGION(lib_state)};
            gates[G_STATE] = (bh_gate_desc){"state", 1, e_state};
            START("ctors", comps, gates);
        }
        /* the library's own constructor: after the runtime's (priority 101 runs first) */
        IN(1) __attribute__((constructor)) void lib_init(void) { strcpy(lib_state, "initialised by lib_init"); }
        __attribute__((constructor)) static void early_user(void) {
            struct fr *f = GATE_FRAME(struct fr, G_STATE);
            bh_call(G_STATE, &f->h);
            printf("constructor: status %d self %d\n", f->h.status, f->self);
            bh_stack_free(f);
        }
        int main(void) {
            struct fr *f = GATE_FRAME(struct fr, G_STATE);
            bh_call(G_STATE, &f->h);
            printf("main: %s (in compartment %d)\n", f->text, f->self);
            return 0;
        }
        """#)
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix("main: initialised by lib_init (in compartment 1)\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("constructor: status 1 self 0\n"), r.stdout)
        XCTAssertEqual(r.stderr, "")
    }
}
