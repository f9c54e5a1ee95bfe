import BulkheadAnalysis
import BulkheadConfig
import BulkheadModel
import Foundation

/// compile_commands.json, typed: one entry per translation unit, with the arguments that matter for
/// parsing (the compiler, -c, -o, dependency-file flags and the input file removed).
public struct CompileDatabase {
    public struct Entry {
        public var file: String
        public var directory: String
        public var arguments: [String]
        public var location: SourceLocation
    }

    public static func load(_ path: Located<String>, base: String) throws -> [Entry] {
        let abs = Paths.join(base, path.value)
        let display = Paths.normalize(path.value)
        guard let data = FileManager.default.contents(atPath: abs) else {
            throw DiagnosticError(.error("cannot read compile_commands '\(path.value)': no such file", at: path.location))
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw DiagnosticError(.error("'\(display)' is not a JSON array of compile commands; write it as CMake, Bear or meson do",
                                         at: SourceLocation(file: display, line: 1, column: 1)))
        }
        var sink = DiagnosticSink()
        var entries: [Entry] = []
        var seen: Set<String> = []
        for (n, item) in list.enumerated() {
            let fileValue = item["file"] as? String ?? ""
            let at = locate(fileValue, in: text, file: display, fallbackIndex: n)
            guard let dir = item["directory"] as? String, !fileValue.isEmpty else {
                sink.error("entry \(n + 1) needs \"directory\" and \"file\"", at: at)
                continue
            }
            let directory = Paths.join(base, dir)
            let file = Paths.join(directory, fileValue)
            var argv: [String]
            if let a = item["arguments"] as? [String] {
                argv = a
            } else if let c = item["command"] as? String {
                argv = ShellWords.split(c)
            } else {
                sink.error("entry for '\(fileValue)' has neither \"arguments\" nor \"command\"", at: at)
                continue
            }
            guard seen.insert(file).inserted else {
                sink.warning("'\(fileValue)' appears twice; the first entry is used", at: at)
                continue
            }
            entries.append(Entry(file: file, directory: directory, arguments: parseArguments(argv, file: file, directory: directory),
                                 location: at))
        }
        try sink.check()
        return entries
    }

    static func parseArguments(_ argv: [String], file: String, directory: String) -> [String] {
        var out: [String] = []
        var i = 1
        let withValue: Set<String> = ["-o", "-MF", "-MT", "-MQ"]
        let alone: Set<String> = ["-c", "-MD", "-MMD", "-MP", "-M", "-MM"]
        while i < argv.count {
            let a = argv[i]
            if withValue.contains(a) { i += 2; continue }
            if alone.contains(a) || (a.hasPrefix("-o") && a.count > 2) { i += 1; continue }
            if !a.hasPrefix("-"), Paths.join(directory, a) == file { i += 1; continue }
            out.append(a)
            i += 1
        }
        return out
    }

    /// The line of `"file": "<name>"` in the text, for messages about one entry.
    static func locate(_ name: String, in text: String, file: String, fallbackIndex: Int) -> SourceLocation {
        var line = 1
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !name.isEmpty, l.contains("\"file\""), l.contains("\"\(name)\""), let r = l.range(of: "\"file\"") {
                return SourceLocation(file: file, line: line, column: l.distance(from: l.startIndex, to: r.lowerBound) + 1)
            }
            line += 1
        }
        return SourceLocation(file: file, line: 1, column: 1)
    }
}

/// POSIX-shell-like word splitting for compile_commands' "command" strings.
enum ShellWords {
    static func split(_ s: String) -> [String] {
        var words: [String] = []
        var cur = ""
        var inWord = false
        var quote: Character?
        var escape = false
        for c in s {
            if escape { cur.append(c); escape = false; inWord = true; continue }
            if c == "\\" && quote != "'" { escape = true; continue }
            if let q = quote {
                if c == q { quote = nil } else { cur.append(c) }
                continue
            }
            if c == "'" || c == "\"" { quote = c; inWord = true; continue }
            if c == " " || c == "\t" || c == "\n" {
                if inWord { words.append(cur); cur = ""; inWord = false }
                continue
            }
            cur.append(c)
            inWord = true
        }
        if inWord { words.append(cur) }
        return words
    }
}
