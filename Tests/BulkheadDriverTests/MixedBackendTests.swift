import BulkheadDriver
import Foundation
import XCTest

/// One program whose compartments use different backends (Fixtures/mixed: fcall and process; its golden
/// tree under expected/mixed and its output against the unpartitioned program are FixtureTests'). Here: where
/// each compartment runs, and that the process compartments are isolated from each other.
final class MixedBackendTests: XCTestCase {
    /// The program, built once for every test of the class.
    static var program: String?

    func built() throws -> String {
        if let p = Self.program { return p }
        let p = try TestSupport.buildFixture("mixed")
        Self.program = p
        return p
    }

    func testFcallCompartmentsShareTheMainProcessAndProcessCompartmentsHaveTheirOwn() throws {
        let r = try TestSupport.run([try built(), "pids"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, """
            tools in main's process: yes
            seal in main's process: yes
            work in main's process: no
            safe in main's process: no
            safe in work's process: no

            """)
    }

    func testAProcessCompartmentCannotReadAnotherOnesSecret() throws {
        let r = try TestSupport.run([try built(), "peek"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("secret length 16"), r.stdout)
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'work' touched the memory of compartment 'safe'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("(serving gate 'worker_peek')"), r.stderr)
        XCTAssertFalse(r.stdout.contains("MIXED-SECRET") || r.stderr.contains("MIXED-SECRET"), r.stdout + r.stderr)
    }

    /// The fixture's commented compartment, uncommented: an mpk compartment, refused at its line until the
    /// mpk backend exists.
    func testAnMpkCompartmentIsRefusedAtItsLine() throws {
        let dir = try TestSupport.copyFixture(TestSupport.fixtures + "/mixed")
        let yaml = dir + "/bulkhead.yaml"
        let text = try String(contentsOfFile: yaml, encoding: .utf8)
        XCTAssertTrue(text.contains("  # sealed: { libraries: [seal], backend: mpk }\n"))
        try text.replacingOccurrences(of: "  # sealed:", with: "  sealed:").write(toFile: yaml, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("# sealed:") }! + 1
        let column = "  sealed: { libraries: [seal], backend: ".count + 1
        let r = TestSupport.cli(["build", yaml, "-o", dir + "/tree"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("bulkhead.yaml:\(line):\(column): error: compartment 'sealed' has backend 'mpk', which this version of bulkhead cannot build yet"), r.stderr)
    }
}
