import BulkheadDriver
import Foundation
import XCTest

/// `bulkhead suggest`: each kind of suggestion on Fixtures/suggest (one function per kind), `--write`
/// merging them into the file without touching what the user wrote (and the merged file builds and runs
/// under process like the original program), and the score against the fixtures' own annotations.
final class SuggestTests: XCTestCase {
    static let fixture = TestSupport.fixtures + "/suggest"

    func testEachKindOfSuggestionWithItsReasonAndConfidence() throws {
        let r = TestSupport.cli(["suggest", Self.fixture + "/bulkhead.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let expected = [
            // strings
            "text: { dir: in, string: true }  # suggested (high): a string: passed to strlen at lib/lib.c:8:",
            // buffer/length pairs, by use: memset's size, indexing bounded by a parameter, a caller's sizeof
            "dst: { dir: out, size: len }  # suggested (high): a buffer of 'len' bytes: memset is given it with 'len' as its size",
            "out: { dir: out, size: cap }  # suggested (high): a buffer of 'cap' bytes: snprintf is given it",
            "data: { dir: in, size: n }  # suggested (high): a buffer of 'n' bytes: a caller passes (bytes, sizeof bytes)",
            "buf: { dir: in, size: len }  # suggested (low): a buffer of 'len' bytes: a caller passes (msg, sizeof msg)",
            // counts of arrays of structs and of ints, also through a helper of the callee's own
            "pts: { dir: in, count: npts }  # suggested (medium): a buffer of 'npts' elements: indexed by a variable bounded by 'npts'",
            "vals: { dir: in, count: n }  # suggested (medium)",
            "fds: { dir: out, count: 2 }  # suggested (medium): an array of 2, indexed by constants only",
            // out-parameters (written before read), and one read and written
            "a: { dir: out, size: sizeof(int) }  # suggested (high): one object, written before it is read",
            "b: { dir: out, size: sizeof(int) }  # suggested (high): one object, written before it is read",
            "cfg: { dir: out, size: sizeof(struct config) }  # suggested (high): one object, written before it is read",
            "counter: { dir: inout, size: sizeof(long) }  # suggested (high): one object, read and written",
            // results that point into the callee's memory
            "version_name:\n    ret: { string: true }  # suggested (high): points into the callee's memory: returns 'buf'",
            "origin:\n    ret: { size: sizeof(struct point) }  # suggested (medium): points into the callee's memory: returns 'o'",
            "kind_name:\n    ret: { string: true }  # suggested (medium): returns a string literal",
        ]
        for line in expected { XCTAssertTrue(r.stdout.contains(line), "missing: \(line)\nin:\n\(r.stdout)") }
        // a handle that the library hands out and takes back is not copied; entries written by hand stay out
        XCTAssertFalse(r.stdout.contains("session"), r.stdout)
        XCTAssertFalse(r.stdout.contains("name: {"), r.stdout)
        // --min-confidence leaves the rest out
        let high = TestSupport.cli(["suggest", Self.fixture + "/bulkhead.yaml", "--min-confidence", "high"])
        XCTAssertFalse(high.stdout.contains("(medium)") || high.stdout.contains("(low)"), high.stdout)
        XCTAssertEqual(TestSupport.cli(["suggest", Self.fixture + "/bulkhead.yaml", "--min-confidence", "certain"]).status, 2)
    }

    func testWriteKeepsWhatTheUserWroteAndTheMergedFileBuildsAndRunsUnderProcess() throws {
        let copy = try TestSupport.copyFixture(Self.fixture)
        let yaml = copy + "/bulkhead.yaml"
        let before = try String(contentsOfFile: yaml, encoding: .utf8)
        let r = TestSupport.cli(["suggest", yaml, "--write"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let after = try String(contentsOfFile: yaml, encoding: .utf8)
        // every line the user wrote is still there, in its order
        var rest = after.split(separator: "\n", omittingEmptySubsequences: false)[...]
        for line in before.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let i = rest.firstIndex(of: line) else { return XCTFail("lost: \(line)\n\(after)") }
            rest = rest[(i + 1)...]
        }
        // the new argument of a hand-written entry goes under its args, with its reason
        XCTAssertTrue(after.contains("      name: { dir: in, string: true }\n      out: { dir: out, size: cap }  # suggested (high)"), after)
        XCTAssertTrue(after.contains("  get_pair:\n    args:\n      a: { dir: out, size: sizeof(int) }"), after)
        // a second run has nothing to add
        XCTAssertEqual(TestSupport.cli(["suggest", yaml, "--write"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: yaml, encoding: .utf8), after)
        XCTAssertEqual(TestSupport.cli(["suggest", yaml]).stdout, "# nothing to suggest\n")

        // a file without gates: gets one
        let bare = try TestSupport.copyFixture(Self.fixture) + "/bulkhead.yaml"
        let text = try String(contentsOfFile: bare, encoding: .utf8)
        try String(text[..<text.range(of: "\ngates:")!.lowerBound] + "\n").write(toFile: bare, atomically: true, encoding: .utf8)
        XCTAssertEqual(TestSupport.cli(["suggest", bare, "--write"]).status, 0)
        let merged = try String(contentsOfFile: bare, encoding: .utf8)
        XCTAssertTrue(merged.contains("\ngates:\n  bump:\n    args:\n      counter: { dir: inout, size: sizeof(long) }"), merged)
        XCTAssertTrue(merged.contains("  copy_name:\n    args:\n      out: { dir: out, size: cap }"), merged)

        // the drafted annotations are what the process backend needs: the program runs as it does unpartitioned
        let work = try TestSupport.temporaryDirectory()
        let original = try Reference.build(configPath: yaml, into: work + "/original")
        let build = TestSupport.cli(["build", yaml, "--backend", "process", "-o", work + "/tree"])
        XCTAssertEqual(build.status, 0, build.stderr)
        let make = try TestSupport.run(["make", "-s", "-C", work + "/tree"])
        XCTAssertEqual(make.status, 0, make.stderr)
        let partitioned = try TestSupport.run([work + "/tree/suggest"])
        let reference = try TestSupport.run([original])
        XCTAssertEqual(partitioned.status, 0, partitioned.stderr)
        XCTAssertEqual(partitioned.stdout, reference.stdout)
        XCTAssertFalse(reference.stdout.isEmpty)
    }

    /// Against the annotations written by hand in the fixtures (Scripts/suggest-score.sh adds the real code
    /// bases and prints the table in the README): every entry written by hand gets a suggestion, and at
    /// least 90% of them the very same one.
    func testScoreAgainstTheFixturesAnnotationsWrittenByHand() throws {
        var annotated = 0, sameEntry = 0, exact = 0, suggested = 0
        for name in ["calc", "events", "exits", "files", "hardened", "libcstate", "macros", "shapes"] {
            let r = TestSupport.cli(["suggest", "\(TestSupport.fixtures)/\(name)/bulkhead.yaml", "--score", "--min-confidence", "medium"])
            XCTAssertEqual(r.status, 0, r.stderr)
            guard let line = r.stdout.split(separator: "\n").last, line.hasPrefix("score:") else { return XCTFail(r.stdout) }
            let n = line.split(separator: " ").compactMap { Int($0) }
            suggested += n[0]; annotated += n[1]; sameEntry += n[2]; exact += n[3]
        }
        XCTAssertGreaterThanOrEqual(Double(sameEntry) / Double(annotated), 0.95, "recall")
        XCTAssertGreaterThanOrEqual(Double(sameEntry) / Double(suggested), 0.95, "precision")
        XCTAssertGreaterThanOrEqual(Double(exact) / Double(annotated), 0.9, "exact recall")
    }
}
