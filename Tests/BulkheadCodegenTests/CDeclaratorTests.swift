@testable import BulkheadCodegen
import BulkheadModel
import XCTest

final class CDeclaratorTests: XCTestCase {
    func testDeclaratorsFromClangTypeSpellings() {
        XCTAssertEqual(CDeclarator.declare("int", "x"), "int x")
        XCTAssertEqual(CDeclarator.declare("const char *", "s"), "const char *s")
        XCTAssertEqual(CDeclarator.declare("int (*)(const void *, const void *)", "cmp"), "int (*cmp)(const void *, const void *)")
        XCTAssertEqual(CDeclarator.declare("char (*)[10]", "row"), "char (*row)[10]")
        XCTAssertEqual(CDeclarator.declare("const uint8_t[]", "data"), "const uint8_t data[]")
        XCTAssertEqual(CDeclarator.declare("int[4][2]", "m"), "int m[4][2]")
    }

    func testFrameFieldsDropTopLevelQualifiersAndArrays() {
        XCTAssertEqual(CDeclarator.field("const int", "x"), "int x")
        XCTAssertEqual(CDeclarator.field("const struct vec3", "v"), "struct vec3 v")
        XCTAssertEqual(CDeclarator.field("const char *", "s"), "const char *s")
        XCTAssertEqual(CDeclarator.field("char *const", "p"), "char *p")
        XCTAssertEqual(CDeclarator.field("const uint8_t[]", "data"), "const uint8_t *data")
        XCTAssertEqual(CDeclarator.field("int[][4]", "m"), "int (*m)[4]")
        XCTAssertEqual(CDeclarator.field("void (*)(int)", "cb"), "void (*cb)(int)")
    }

    func testPrototypesAndParameterLists() {
        XCTAssertEqual(CDeclarator.parameterList([], variadic: false), "void")
        XCTAssertEqual(CDeclarator.parameterList([Parameter(name: "fmt", type: "const char *")], variadic: true), "const char *fmt, ...")
        XCTAssertEqual(CDeclarator.prototype(name: "f", result: "int (*)(int)", params: [], variadic: false), "int (*f(void))(int)")
    }

    func testStampRoundTripsAndHashesTellEditedFiles() {
        let s = Stamp(generator: "bulkhead 0.1.0", backend: "fcall", inputs: ["a b.c": Stamp.hash([1, 2])], units: ["a b.c"],
                      outputs: ["Makefile": Stamp.hash([3])])
        XCTAssertEqual(Stamp.parse(s.render()), s)
        XCTAssertNotEqual(Stamp.hash(Array("int x;".utf8)), Stamp.hash(Array("int y;".utf8)))
        XCTAssertNil(Stamp.parse("nonsense"))
    }

    func testRelativePathsBetweenTreeFolders() {
        XCTAssertEqual(TreeBuilder.relativePath(from: "src/app", to: "bh"), "../../bh")
        XCTAssertEqual(TreeBuilder.relativePath(from: ".", to: "include"), "include")
        XCTAssertEqual(TreeBuilder.relativePath(from: "app", to: "app/x.c"), "x.c")
    }
}
