import BulkheadModel
import CClang

/// Thin conveniences over libclang's C API; nothing here leaves the frontend.
extension CXString {
    /// Takes ownership: the CXString is disposed.
    func consume() -> String {
        defer { clang_disposeString(self) }
        guard let c = clang_getCString(self) else { return "" }
        return String(cString: c)
    }
}

struct FileLocation {
    var file: String
    var line: Int
    var column: Int
    var offset: Int
}

extension CXSourceLocation {
    /// Where the macro invocation is, for a token from a macro body; the token itself otherwise.
    var expansion: FileLocation? { resolve(clang_getExpansionLocation) }

    /// libclang's "file location": the spelling for a token from a macro argument, the invocation for a
    /// token from a macro body (libclang 14 implements it as SourceManager::getFileLoc).
    var fileLocation: FileLocation? { resolve(clang_getFileLocation) }

    private typealias Getter = (CXSourceLocation, UnsafeMutablePointer<CXFile?>?, UnsafeMutablePointer<UInt32>?,
                                UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt32>?) -> Void

    private func resolve(_ get: Getter) -> FileLocation? {
        var file: CXFile?
        var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
        get(self, &file, &line, &column, &offset)
        guard let file else { return nil }
        return FileLocation(file: Paths.normalize(clang_getFileName(file).consume()), line: Int(line), column: Int(column), offset: Int(offset))
    }

    var isInSystemHeader: Bool { clang_Location_isInSystemHeader(self) != 0 }
}

extension CXCursor {
    var kind: CXCursorKind { clang_getCursorKind(self) }
    var spelling: String { clang_getCursorSpelling(self).consume() }
    var usr: String { clang_getCursorUSR(self).consume() }
    var referenced: CXCursor { clang_getCursorReferenced(self) }
    var isNull: Bool { clang_Cursor_isNull(self) != 0 }
    var location: CXSourceLocation { clang_getCursorLocation(self) }
    var extent: CXSourceRange { clang_getCursorExtent(self) }
    var type: CXType { clang_getCursorType(self) }

    var children: [CXCursor] {
        final class Box { var items: [CXCursor] = [] }
        let box = Box()
        withExtendedLifetime(box) {
            _ = clang_visitChildren(self, { child, _, data in
                Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue().items.append(child)
                return CXChildVisit_Continue
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.items
    }

    var isExpression: Bool { clang_isExpression(kind) != 0 }
    var isStatic: Bool { clang_Cursor_getStorageClass(self) == CX_SC_Static }
}

extension CXType {
    var spelling: String { clang_getTypeSpelling(self).consume() }
    var canonical: CXType { clang_getCanonicalType(self) }
}
