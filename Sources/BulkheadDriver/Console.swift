import BulkheadModel
import Foundation

/// Where the commands write. The executable uses the process's streams; tests capture them.
public final class Console {
    public var out: (String) -> Void
    public var err: (String) -> Void
    /// Prefix for locations relative to the annotation file's folder, so printed paths are relative to the
    /// current folder, as clang prints them.
    var locationPrefix = ""

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.out = out
        self.err = err
    }

    public static let standard = Console(
        out: { FileHandle.standardOutput.write(Data($0.utf8)) },
        err: { FileHandle.standardError.write(Data($0.utf8)) })

    public static func capturing() -> (Console, () -> String, () -> String) {
        final class Buffers { var out = "", err = "" }
        let b = Buffers()
        return (Console(out: { b.out += $0 }, err: { b.err += $0 }), { b.out }, { b.err })
    }

    func report(_ diagnostics: [Diagnostic]) {
        for var d in diagnostics {
            if let loc = d.location, !loc.file.hasPrefix("/") { d.location?.file = locationPrefix + loc.file }
            err(d.description + "\n")
        }
    }
}
