import BulkheadModel

/// Which translation unit belongs to which library and compartment (from the config and the source list).
public struct ProgramLayout: Sendable {
    /// Absolute folder of the annotation file.
    public var baseDirectory: String
    /// Absolute TU path -> library name.
    public var libraryOfUnit: [String: String]
    /// Library name -> compartment name.
    public var compartmentOfLibrary: [String: String]

    public init(baseDirectory: String, libraryOfUnit: [String: String], compartmentOfLibrary: [String: String]) {
        self.baseDirectory = baseDirectory
        self.libraryOfUnit = libraryOfUnit
        self.compartmentOfLibrary = compartmentOfLibrary
    }

    public func compartment(ofUnit unit: String) -> String? {
        libraryOfUnit[unit].flatMap { compartmentOfLibrary[$0] }
    }

    /// A path as the user reads it: relative to the annotation file's folder when below it.
    public func display(_ path: String) -> String {
        Paths.relative(path, to: baseDirectory) ?? path
    }

    public func display(_ location: SourceLocation) -> SourceLocation {
        SourceLocation(file: display(location.file), line: location.line, column: location.column)
    }
}

