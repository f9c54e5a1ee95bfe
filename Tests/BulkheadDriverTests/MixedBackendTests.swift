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

    /// The plan says where each crossing is an RPC of its own: `graph` marks it, and names the compartments
    /// whose backend is not the top-level one.
    func testTheGraphShowsEachCompartmentsBackendAndTheRPCsIntoTheMainProcess() throws {
        let r = TestSupport.cli(["graph", TestSupport.fixtures + "/mixed/bulkhead.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("compartment work\\nbackend: process"), r.stdout)
        XCTAssertFalse(r.stdout.contains("compartment tools\\nbackend"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"lib:worker\" -> \"lib:fmt\" [label=\"fmt_hex by RPC (1)\"]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"lib:app\" -> \"lib:fmt\" [label=\"fmt_hex (1)\"]"), r.stdout)
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
        XCTAssertTrue(r.stderr.contains("bulkhead.yaml:\(line):\(column): error: compartment 'sealed' has backend 'mpk' and the program's backend is 'fcall': mpk cannot be mixed with other backends in one program yet"), r.stderr)
    }

    /// The other way round: under a program-wide mpk, a compartment of another backend is refused at its key.
    func testAProcessCompartmentInAnMpkProgramIsRefusedAtItsLine() throws {
        let dir = try TestSupport.copyFixture(TestSupport.fixtures + "/mixed")
        let yaml = dir + "/bulkhead.yaml"
        let text = try String(contentsOfFile: yaml, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let top = lines.firstIndex(where: { $0.hasPrefix("backend:") }),
              let proc = lines.firstIndex(where: { $0.hasPrefix("  ") && $0.contains("backend: process") }) else {
            return XCTFail("the mixed fixture names a program backend and a process compartment:\n" + text)
        }
        var edited = lines
        edited[top] = "backend: mpk"
        try edited.joined(separator: "\n").write(toFile: yaml, atomically: true, encoding: .utf8)
        let column = lines[proc].range(of: "backend: ")!.upperBound.utf16Offset(in: lines[proc]) + 1
        let r = TestSupport.cli(["build", yaml, "-o", dir + "/tree"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("bulkhead.yaml:\(proc + 1):\(column): error: compartment '"), r.stderr)
        XCTAssertTrue(r.stderr.contains("has backend 'process' and the program's backend is 'mpk'"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/tree"), "no tree is written")
    }
}
