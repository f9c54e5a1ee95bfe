import BulkheadConfig
import XCTest

/// `bulkhead syscalls --write`: the lists go where they belong, and the rest of the file stays as written.
final class AllowlistEditorTests: XCTestCase {
    func edit(_ text: String, _ lists: [String: [String]]) throws -> String {
        try AllowlistEditor.apply(lists, to: text, displayPath: "bulkhead.yaml")
    }

    func testAListIsAddedToFlowAndBlockMapsAndReplacedWhereItStands() throws {
        let text = """
            program: p   # a comment stays
            compartments:
              main:    { libraries: [app], default: true }
              reader:
                libraries: [reader]   # so does this one
              compute: { libraries: [compute], syscalls: [write, read] }
              io:
                libraries: [io]
                syscalls:
                  - read    # replaced with the rest of the list
                  - write
                on_fault: abort
              empty:
                libraries: [e]
                syscalls:
              untouched: { libraries: [u], syscalls: [read] }

            """
        let out = try edit(text, ["main": ["getuid"], "reader": ["lseek", "openat", "read"], "compute": [], "io": ["pread64"],
                                  "empty": ["read"]])
        XCTAssertEqual(out, """
            program: p   # a comment stays
            compartments:
              main:    { libraries: [app], default: true, syscalls: [getuid] }
              reader:
                syscalls: [lseek, openat, read]
                libraries: [reader]   # so does this one
              compute: { libraries: [compute], syscalls: [] }
              io:
                libraries: [io]
                syscalls: [pread64]
                on_fault: abort
              empty:
                libraries: [e]
                syscalls: [read]
              untouched: { libraries: [u], syscalls: [read] }

            """)
    }
}
