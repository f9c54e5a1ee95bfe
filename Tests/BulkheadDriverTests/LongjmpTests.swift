import Foundation
import XCTest

/// longjmp across gates under the process backend, where it must not work (Fixtures/longjmp; the jumps that
/// must work are compared with the unpartitioned program by FixtureTests, under fcall and process).
final class LongjmpTests: XCTestCase {
    /// A jump to a jmp_buf that no active frame set (main's, never set); to a jmp_buf the callee made up in
    /// its own memory, as a hostile callee would; and to main's own jmp_buf (on the shared stack) after the
    /// callee rewrote its PC to resume a byte further (every process shares main's pointer guard): each is
    /// reported as the callee's fault, naming the gate, and the program ends with status 134; main's code
    /// after the call (or after the setjmp) never runs.
    func testAJumpToNoActiveCallersFrameIsAFaultOfTheCallee() throws {
        let program = try TestSupport.buildFixture("longjmp") { "backend: process\n" + $0 }
        for mode in ["bogus", "forged", "hijack"] {
            let r = try TestSupport.run([program, mode])
            XCTAssertEqual(r.status, 134, "\(mode): \(r.stderr)")
            XCTAssertTrue(r.stdout.isEmpty, "\(mode): main went on after the call: \(r.stdout)")
            let gate = ["bogus": "leaf_work", "forged": "leaf_forge", "hijack": "leaf_hijack"][mode]!
            XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'leaf' faulted while serving gate '\(gate)': longjmp to a jmp_buf at 0x"),
                          "\(mode): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("that no active frame of its callers set"), r.stderr)
        }
    }
}
