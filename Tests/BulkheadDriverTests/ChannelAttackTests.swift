import BulkheadAnalysis
import BulkheadDriver
import Foundation
import XCTest

/// The attack suite for the process backend's gates (issue 12, classes 4, 5, 6, 7 and 9): each program under
/// Fixtures/attacks/<class>-<name> has an attacker compartment (`evil`, code in library thief) that uses its
/// knowledge of the runtime to reach a secret or change another compartment's behaviour. Each test shows the
/// secret was not obtained, and that the program either finished or reported a contained fault.
final class ChannelAttackTests: XCTestCase {
    func build(_ name: String) throws -> String {
        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/attacks/" + name)
        let yaml = program + "/bulkhead.yaml"
        let tree = program + "/../tree"
        let b = TestSupport.cli(["build", yaml, "-o", tree])
        XCTAssertEqual(b.status, 0, b.stderr)
        let m = try TestSupport.run(["make", "-s", "-C", tree])
        XCTAssertEqual(m.status, 0, m.stderr)
        return tree + "/" + (try Pipeline(configPath: yaml).plan().1).program
    }

    /// The program ended with a report of the caller's fault and the secret appears nowhere.
    func assertRefused(_ r: TestSupport.ProcessResult, secret: String, report: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(r.stdout.contains(secret) || r.stderr.contains(secret), r.stdout + r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(report), r.stderr, file: file, line: line)
        XCTAssertNotEqual(r.status, 0, file: file, line: line)
        XCTAssertFalse(r.stdout.contains("done"), r.stdout, file: file, line: line)
    }

    /// Class 4: the thief calls a gate of the vault that only main has, through the runtime (bh_call): as its
    /// own call, and claiming to be main.
    func testAGateACompartmentHasNoUseOfIsRefusedAndItsCallerCannotBeForged() throws {
        let program = try build("4-forged-call")
        let own = try TestSupport.run(["timeout", "20", program])
        XCTAssertTrue(own.stdout.contains("thief may check: 1"), own.stdout)  // its own gate still works
        assertRefused(own, secret: "FORGED-SECRET",
                      report: "bulkhead: compartment 'safe' refused gate 'vault_export' from compartment 'evil': the plan gives that compartment no use of it")
        let claim = try TestSupport.run(["timeout", "20", program, "claim"])
        assertRefused(claim, secret: "FORGED-SECRET",
                      report: "bulkhead: compartment 'safe' refused gate 'vault_export' from an unknown caller: the frame lies in memory every compartment can write")
    }

    /// Class 5: the thief aims a marshalled `in` pointer at the vault's own context.
    func testAMarshalledPointerOutsideTheLentMemoryIsRefused() throws {
        let r = try TestSupport.run(["timeout", "20", try build("5-confused-deputy")])
        XCTAssertTrue(r.stdout.contains("transform: 3"), r.stdout)  // a legitimate call still works
        assertRefused(r, secret: "DEPUTY-SECRET",
                      report: "bulkhead: compartment 'safe' refused gate 'vault_transform' from compartment 'evil': parameter 'in' is not in memory the caller lent")
    }

    /// Class 6: the thief reads its thread's shared stack for the key that main lent the vault by address.
    func testWhatTheSharedStackHeldIsClearedWhenFreed() throws {
        let r = try TestSupport.run(["timeout", "20", try build("6-residue")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "login: 1\nsecret: 0\ndone\n")  // nothing found
    }

    /// Class 7: a thread of the thief rewrites the answers of calls between main and the vault in flight.
    func testAThirdCompartmentCannotReachACallInFlight() throws {
        let r = try TestSupport.run(["timeout", "60", try build("7-tamper")])
        XCTAssertFalse(r.stdout.contains("granted") && !r.stdout.contains("granted 0 times"), r.stdout)
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'evil' touched the memory that compartments 'main' and 'safe' share for their calls"), r.stderr)
        XCTAssertNotEqual(r.status, 0)
    }

    /// Class 9: the pids main kills at exit, rewritten to an outside process's.
    func testMainKillsOnlyTheProcessesItKnowsPrivately() throws {
        let program = try build("9-control-data")
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/bin/sleep")
        victim.arguments = ["60"]
        try victim.run()
        defer { victim.terminate() }
        let r = try TestSupport.run(["timeout", "20", program, "kill", String(victim.processIdentifier)])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("thief: rewrote 2 pids"), r.stdout)  // the attack ran
        XCTAssertTrue(r.stdout.hasSuffix("done\n"), r.stdout)
        usleep(200_000)
        XCTAssertTrue(victim.isRunning, "main killed the process whose pid a compartment wrote")
        // and no process of the program outlived it (the compartments were killed by what main knows)
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
            guard Int32(pid) != nil, let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: cmd, as: UTF8.self).hasPrefix(program)
        }
        XCTAssertEqual(left, [], "processes of the program left")
    }

    /// Class 9: the shared heap's free list aimed at main's private data. The free lists are private to each
    /// process now (heap.c): there is none in shared memory to aim (HeapAttackTests for the heap's other metadata).
    func testTheSharedHeapNeverHandsOutMemoryOutsideIt() throws {
        let r = try TestSupport.run(["timeout", "20", try build("9-control-data"), "heap"])
        XCTAssertTrue(r.stdout.contains("thief: no free list in shared memory"), r.stdout)  // the attack ran
        XCTAssertTrue(r.stdout.contains("block is main's data: no"), r.stdout)
        XCTAssertTrue(r.stdout.contains("motto: MAIN-MOTTO-9e4"), r.stdout)
        XCTAssertEqual(r.status, 0, r.stderr)
    }
}
