import BulkheadDriver
import Foundation
import XCTest

/// Walks Fixtures/errors/: each case is a bad input with `expect.txt` (first line: the exit status; then
/// lines the error output must contain). A previous tree in the output folder must be left intact.
final class ErrorFixtureTests: XCTestCase {
    func testEveryErrorFixtureFailsWithItsMessageAndLeavesThePreviousTree() throws {
        let root = TestSupport.fixtures + "/errors"
        let cases = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 8)
        let work = try TestSupport.temporaryDirectory()
        let out = work + "/out"
        XCTAssertEqual(TestSupport.cli(["build", TestSupport.fixtures + "/calc/bulkhead.yaml", "-o", out]).status, 0)
        let before = TestSupport.snapshot(out)
        XCTAssertFalse(before.isEmpty)
        for name in cases {
            let copy = try TestSupport.copyFixture(root + "/" + name)
            let expect = try String(contentsOfFile: copy + "/expect.txt", encoding: .utf8)
                .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            let r = TestSupport.cli(["build", copy + "/bulkhead.yaml", "-o", out])
            XCTAssertEqual(r.status, Int32(expect[0]), "\(name): exit status; stderr:\n\(r.stderr)")
            for line in expect.dropFirst() {
                XCTAssertTrue(r.stderr.contains(line), "\(name): the error output lacks '\(line)':\n\(r.stderr)")
            }
            XCTAssertFalse(r.stderr.contains("Fatal error"), name)
            XCTAssertEqual(TestSupport.snapshot(out), before, "\(name): the previous tree was changed")
        }
    }
}
