import BulkheadDriver
import XCTest

final class GlobTests: XCTestCase {
    func testGlobsMatchWithinAndAcrossFolders() {
        func m(_ g: String, _ p: String) -> Bool { Glob.matches(Glob.regex(g), p) }
        XCTAssertTrue(m("src/*.c", "src/a.c"))
        XCTAssertFalse(m("src/*.c", "src/sub/a.c"))
        XCTAssertTrue(m("src/**/*.c", "src/sub/deep/a.c"))
        XCTAssertTrue(m("src/**/*.c", "src/a.c"))
        XCTAssertTrue(m("./lib/?.c", "lib/x.c"))
        XCTAssertTrue(m("src/[!m]*.c", "src/blocks.c"))
        XCTAssertFalse(m("src/[!m]*.c", "src/main.c"))
        XCTAssertFalse(m("src/a.c", "src/a+c"))
    }
}
