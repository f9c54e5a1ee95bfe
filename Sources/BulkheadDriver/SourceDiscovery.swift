import BulkheadAnalysis
import BulkheadCodegen
import BulkheadConfig
import BulkheadModel
import Foundation

/// Finds the translation units (from `compile_commands` or the libraries' globs), puts each in exactly one
/// library, and makes the compile job it is parsed and built with.
public struct SourceDiscovery {
    public var config: Config
    /// Absolute folders never searched for sources (the output tree).
    public var excluded: [String]

    public init(config: Config, excluded: [String] = []) {
        self.config = config
        self.excluded = excluded.map(Paths.normalize)
    }

    public struct Result {
        public var jobs: [CompileJob]
        public var layout: ProgramLayout
    }

    public func discover() throws -> Result {
        var sink = DiagnosticSink()
        let base = config.baseDirectory
        let entries = try config.compileCommands.map { try CompileDatabase.load($0, base: base) }
        let candidates = entries.map { $0.map(\.file) } ?? walk(base)
        // Library of every candidate, from the globs.
        var libraryOf: [String: (library: String, glob: Located<String>)] = [:]
        for lib in config.libraries {
            for glob in lib.sources {
                let regex = Glob.regex(glob.value)
                let matches = candidates.filter { f in Paths.relative(f, to: base).map { Glob.matches(regex, $0) } ?? false }
                if matches.isEmpty {
                    sink.error("library '\(lib.name.value)': no \(entries == nil ? "C file" : "entry of compile_commands") matches '\(glob.value)'; sources are globs relative to the annotation file's folder, like 'src/*.c' or 'lib/**/*.c'",
                               at: glob.location)
                }
                for f in matches {
                    if let first = libraryOf[f], first.library != lib.name.value {
                        sink.error("'\(Paths.relative(f, to: base)!)' is matched by library '\(lib.name.value)' and by library '\(first.library)'; every translation unit must be in exactly one library: narrow one of the globs",
                                   at: glob.location)
                        sink.note("library '\(first.library)' matches it here", at: first.glob.location)
                    } else {
                        libraryOf[f] = (lib.name.value, glob)
                    }
                }
            }
        }
        var jobs: [CompileJob] = []
        if let entries {
            for e in entries {
                guard let lib = libraryOf[e.file] else {
                    sink.error("translation unit '\(Paths.relative(e.file, to: base) ?? e.file)' matches no library's sources; add it to a library in the annotation file",
                               at: e.location)
                    continue
                }
                jobs.append(CompileJob(file: e.file, arguments: e.arguments + config.cflags + config.library(named: lib.library)!.cflags,
                                       directory: e.directory))
            }
        } else {
            for (file, lib) in libraryOf.sorted(by: { $0.key < $1.key }) {
                jobs.append(CompileJob(file: file, arguments: config.cflags + config.library(named: lib.library)!.cflags, directory: base))
            }
        }
        try sink.check()
        let layout = ProgramLayout(
            baseDirectory: base,
            libraryOfUnit: libraryOf.mapValues(\.library),
            compartmentOfLibrary: Dictionary(uniqueKeysWithValues: config.libraries.map {
                ($0.name.value, config.compartment(ofLibrary: $0.name.value).name.value)
            }))
        return Result(jobs: jobs.sorted { $0.file < $1.file }, layout: layout)
    }

    /// Every `.c` file below `base`, skipping hidden folders, the excluded ones and bulkhead's own output
    /// trees (folders holding a manifest), which are never sources.
    private func walk(_ base: String) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        func visit(_ dir: String) {
            guard let names = try? fm.contentsOfDirectory(atPath: dir), !names.contains(TreeBuilder.manifestName) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = dir + "/" + name
                if excluded.contains(path) { continue }
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
                if isDir.boolValue {
                    visit(path)
                } else if name.hasSuffix(".c") {
                    out.append(path)
                }
            }
        }
        visit(Paths.normalize(base))
        return out
    }
}

/// Source globs: `*` and `?` within one path component, `**` across components, `[...]` classes.
public enum Glob {
    public static func regex(_ glob: String) -> NSRegularExpression? {
        var r = "^"
        var chars = Array(glob)
        if chars.starts(with: [".", "/"]) { chars.removeFirst(2) }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "*", i + 1 < chars.count, chars[i + 1] == "*" {
                if i + 2 < chars.count, chars[i + 2] == "/" {
                    r += "(?:.*/)?"
                    i += 3
                } else {
                    r += ".*"
                    i += 2
                }
                continue
            }
            switch c {
            case "*": r += "[^/]*"
            case "?": r += "[^/]"
            case "[":
                if let close = chars[(i + 1)...].firstIndex(of: "]") {
                    var cls = String(chars[(i + 1)..<close])
                    if cls.hasPrefix("!") { cls = "^" + cls.dropFirst() }
                    r += "[" + cls.replacingOccurrences(of: "\\", with: "\\\\") + "]"
                    i = close + 1
                    continue
                }
                r += "\\["
            default: r += NSRegularExpression.escapedPattern(for: String(c))
            }
            i += 1
        }
        return try? NSRegularExpression(pattern: r + "$")
    }

    public static func matches(_ regex: NSRegularExpression?, _ path: String) -> Bool {
        guard let regex else { return false }
        return regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }
}
