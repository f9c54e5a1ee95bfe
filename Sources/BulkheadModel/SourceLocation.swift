/// A place in an input file, 1-based, as clang prints it. `file` is the path as the user should read it:
/// relative to the annotation file's folder when the file lies below it, absolute otherwise.
public struct SourceLocation: Hashable, Comparable, Codable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}
