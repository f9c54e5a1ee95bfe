import BulkheadModel
import Foundation
import Yams

/// Reads `bulkhead.yaml` into a `Config`. Every problem found is reported, each at the key or value it is about,
/// as `file:line:col` with 1-based lines and 1-based byte columns (as clang prints them).
public enum ConfigParser {
    /// Reads and parses the annotation file at `path` (as given on the command line; also its display path).
    public static func load(path: String) throws -> Config {
        let bytes: [UInt8]
        switch readFile(path) {
        case .success(let b): bytes = b
        case .failure(let e): throw DiagnosticError(.error("cannot read annotation file '\(path)': \(e.reason)"))
        }
        var line = 1, column = 1, iterator = bytes.makeIterator(), decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): if s == "\n" { (line, column) = (line + 1, 1) } else { column += UTF8.width(s) }
            case .error: throw DiagnosticError(.error("the annotation file is not valid UTF-8 text; save it as UTF-8",
                                                      at: SourceLocation(file: path, line: line, column: column)))
            case .emptyInput:
                let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
                return try parse(text: String(decoding: bytes, as: UTF8.self), path: path, displayPath: path,
                                 baseDirectory: base)
            }
        }
    }

    /// Parses the text of an annotation file. `displayPath` names the file in diagnostics; `baseDirectory` is the
    /// absolute folder that `sources` and `compile_commands` are relative to.
    public static func parse(text: String, path: String, displayPath: String, baseDirectory: String) throws -> Config {
        // Yams builds and frees its node tree recursively: a thread with a large stack keeps deep input from
        // overflowing the caller's stack, and `maximumDepthBound` refuses input deeper than that stack allows.
        final class Box: @unchecked Sendable { var result: Result<Config, Error>? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result {
                try parseOnThisThread(text: text, path: path, displayPath: displayPath, baseDirectory: baseDirectory)
            }
            done.signal()
        }
        thread.stackSize = 256 << 20
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    /// Input whose nesting may be deeper than this is refused before Yams sees it (libyaml also slows down
    /// quadratically with flow nesting).
    static let depthLimit = 30_000

    /// An upper bound on how deeply collections nest: each flow bracket may open a level, and on each line block
    /// collections nest at most two levels per column of indentation and per `- ` or `? ` indicator.
    static func maximumDepthBound(_ text: String) -> Int {
        var flow = 0, block = 0, lead = 0, indicators = 0, atStart = true, previous = UInt8(ascii: " ")
        for u in text.utf8 {
            switch u {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                block = max(block, 2 * (lead + indicators))
                (lead, indicators, atStart) = (0, 0, true)
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                if atStart { lead += 1 } else if previous == UInt8(ascii: "-") || previous == UInt8(ascii: "?") {
                    indicators += 1
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                (flow, atStart) = (flow + 1, false)
            default:
                atStart = false
            }
            previous = u
        }
        return flow + max(block, 2 * (lead + indicators)) + 2
    }

    private static func parseOnThisThread(text: String, path: String, displayPath: String,
                                          baseDirectory: String) throws -> Config {
        let lines = LineTable(text)
        let start = SourceLocation(file: displayPath, line: 1, column: 1)
        if maximumDepthBound(text) > depthLimit {
            throw DiagnosticError(.error("this file is too large or nests lists and maps too deeply to read safely; "
                + "a bulkhead.yaml needs at most 5 levels of nesting and short lines", at: start))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw DiagnosticError(yamlDiagnostic(error, lines: lines, displayPath: displayPath))
        }
        var reader = ConfigReader(displayPath: displayPath, lines: lines, sink: DiagnosticSink())
        let config = reader.read(root, path: path, baseDirectory: baseDirectory)
        if let config, !reader.sink.hasErrors { return config }
        if !reader.sink.hasErrors { reader.sink.error("the annotation file could not be read", at: start) }
        let sorted = reader.sink.diagnostics.enumerated().sorted {
            ($0.element.location ?? start, $0.offset) < ($1.element.location ?? start, $1.offset)
        }
        throw DiagnosticError(sorted.map(\.element))
    }

    /// What to write instead, for libyaml's common complaints.
    private static let hints = [
        ("mapping values are not allowed", "; quote values that contain ': ' and check the indentation"),
        ("could not find expected ':'", "; write each entry of a map as 'key: value'"),
        ("did not find expected key", "; check the indentation of this line against the keys above it"),
        ("did not find expected '-'", "; check the indentation of this line against the list above it"),
        ("did not find expected ',' or ']'", "; separate list items with ',' and close the list with ']'"),
        ("did not find expected ',' or '}'", "; separate entries with ',' and close the map with '}'"),
        ("found unexpected end of stream", "; close the quote or bracket"),
        ("found undefined alias", "; quote values that start with '*'"),
        ("found character that cannot start any token", "; quote values that start with '@', '`' or '%'"),
    ]

    /// Yams' syntax errors, at the place libyaml names.
    static func yamlDiagnostic(_ error: Error, lines: LineTable, displayPath: String) -> Diagnostic {
        func at(_ line: Int, _ column: Int) -> SourceLocation {
            SourceLocation(file: displayPath, line: line, column: lines.byteColumn(line: line, column: column))
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?, .parser(let context, let problem, let mark, _)?,
             .composer(let context, let problem, let mark, _)?:
            if problem == "but found another document" {
                return .error("invalid YAML: the file holds more than one document; remove the second '---' "
                              + "and what follows it", at: at(mark.line, mark.column))
            }
            if lines.scalar(line: mark.line, column: mark.column) == "\t" {
                return .error("invalid YAML: a tab cannot indent or separate YAML; use spaces",
                              at: at(mark.line, mark.column))
            }
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text)"
                message += context.mark.line == mark.line ? ")" : " that starts at line \(context.mark.line))"
            }
            message += hints.first { problem.hasPrefix($0.0) }?.1 ?? "; check the indentation and quoting here"
            return .error(message, at: at(mark.line, mark.column))
        case .reader(let problem, let offset, _, let yaml)?:
            var line = 1, column = 1
            if let offset, let end = yaml.index(yaml.startIndex, offsetBy: offset, limitedBy: yaml.endIndex) {
                for s in yaml[..<end].unicodeScalars {
                    if s == "\n" { (line, column) = (line + 1, 1) } else { column += 1 }
                }
            }
            return .error("invalid YAML: \(problem); remove that character", at: at(line, column))
        default:
            return .error("invalid YAML: \(error)", at: at(1, 1))
        }
    }

    private struct ReadFailure: Error { let reason: String }

    private static func readFile(_ path: String) -> Result<[UInt8], ReadFailure> {
        let fd = open(path, O_RDONLY)
        if fd < 0 { return .failure(ReadFailure(reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { return .failure(ReadFailure(reason: String(cString: strerror(errno)))) }
            if n == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}

/// Maps libyaml's marks (1-based, columns counted in Unicode scalars) to clang's (columns counted in bytes).
struct LineTable {
    private var lines: [[Unicode.Scalar]] = []

    init(_ text: String) {
        var current: [Unicode.Scalar] = [], afterCR = false
        for s in text.unicodeScalars {
            if afterCR, s == "\n" { afterCR = false; continue }
            afterCR = s == "\r"
            if s == "\n" || s == "\r" || s == "\u{85}" || s == "\u{2028}" || s == "\u{2029}" {
                lines.append(current)
                current = []
            } else {
                current.append(s)
            }
        }
        lines.append(current)
    }

    func scalar(line: Int, column: Int) -> Unicode.Scalar? {
        line >= 1 && line <= lines.count && column >= 1 && column <= lines[line - 1].count
            ? lines[line - 1][column - 1] : nil
    }

    func byteColumn(line: Int, column: Int) -> Int {
        guard line >= 1, line <= lines.count, column >= 1 else { return max(column, 1) }
        let text = lines[line - 1], counted = min(column - 1, text.count)
        return text[..<counted].reduce(1) { $0 + UTF8.width($1) } + (column - 1 - counted)
    }
}
