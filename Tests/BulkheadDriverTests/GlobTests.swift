import BulkheadDriver
import BulkheadModel
import XCTest

final class GlobTests: XCTestCase {
    func testPathsNormalizeWithAndWithoutTheFastPath() {
        let cases = [("/a/b/c.h", "/a/b/c.h"), ("a/b", "a/b"), ("/a//b", "/a/b"), ("/a/./b", "/a/b"), ("/a/b/../c", "/a/c"),
                     ("a/../../b", "../b"), ("/../a", "/a"), ("a/", "a"), (".", "."), ("./a", "a"), ("a/.", "a"),
                     ("/", "/"), ("..", ".."), ("/a/.b/..c/...", "/a/.b/..c/..."), ("/a/b/..", "/a")]
        for (path, normal) in cases { XCTAssertEqual(Paths.normalize(path), normal, path) }
    }

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
