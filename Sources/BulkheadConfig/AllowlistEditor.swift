import BulkheadModel
import Yams

/// Sets compartments' `syscalls:` lists in the text of an annotation file (`bulkhead syscalls --write`),
/// keeping everything else as written: comments, order, flow or block style. A list that is there is
/// replaced where it stands; a compartment without one gets it added (`, syscalls: [...]` at the end of a
/// flow map, a line of its own above the first key of a block map).
public enum AllowlistEditor {
    /// `text` with `syscalls: [...]` set for every compartment named in `lists`. The text must be an
    /// annotation file that parses (its compartments a map of maps).
    public static func apply(_ lists: [String: [String]], to text: String, displayPath: String) throws -> String {
        let source = Text(text)
        func failure(_ message: String) -> DiagnosticError {
            DiagnosticError(.error(message, at: SourceLocation(file: displayPath, line: 1, column: 1)))
        }
        guard let root = try Yams.compose(yaml: text)?.mapping,
              let compartments = root.first(where: { $0.key.string == "compartments" })?.value.mapping else {
            throw failure("cannot write the allowlists: the file has no 'compartments:' map")
        }
        var edits: [(at: Range<Int>, text: String)] = []
        for (key, value) in compartments {
            guard let name = key.string, let list = lists[name] else { continue }
            guard let body = value.mapping, let mark = body.mark else {
                throw failure("cannot write the allowlist of compartment '\(name)': it is not a map")
            }
            let flow = "[" + list.joined(separator: ", ") + "]"
            if let (k, v) = body.first(where: { $0.key.string == "syscalls" }), let km = k.mark {
                // from just after "syscalls:" to the end of its value
                guard let colon = source.find(":", from: source.offset(km)) else { throw failure("no ':' after 'syscalls'") }
                // `syscalls:` alone: its null's mark lies where the next token starts
                let empty = v.scalar.map { $0.string.isEmpty } == true && !source.isQuote(v.mark)
                guard let end = empty ? colon + 1 : source.end(of: v), end > colon else {
                    throw failure("cannot tell where the 'syscalls:' list of compartment '\(name)' ends")
                }
                edits.append((colon + 1..<end, " " + flow))
            } else if source.isFlow(mark) {
                let start = source.offset(mark)
                guard let close = source.closing(from: start) else { throw failure("unclosed map of compartment '\(name)'") }
                var at = close
                while at > start + 1, source.scalars[at - 1] == " " { at -= 1 }
                edits.append((at..<at, (body.count == 0 ? "" : ", ") + "syscalls: " + flow))
            } else {
                let first = body.keys.compactMap(\.mark).min { ($0.line, $0.column) < ($1.line, $1.column) } ?? mark
                let lineStart = source.lineStarts[first.line - 1]
                edits.append((lineStart..<lineStart, String(repeating: " ", count: first.column - 1) + "syscalls: " + flow + "\n"))
            }
        }
        var scalars = source.scalars
        for e in edits.sorted(by: { $0.at.lowerBound > $1.at.lowerBound }) {
            scalars.replaceSubrange(e.at, with: e.text.unicodeScalars)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// The file as scalars, with the offset where each line starts (libyaml's marks count scalars).
    struct Text {
        var scalars: [Unicode.Scalar]
        var lineStarts: [Int] = [0]

        init(_ text: String) {
            scalars = Array(text.unicodeScalars)
            for (i, s) in scalars.enumerated() where s == "\n" || (s == "\r" && (i + 1 == scalars.count || scalars[i + 1] != "\n")) {
                lineStarts.append(i + 1)
            }
        }

        func offset(_ m: Mark) -> Int { min(lineStarts[m.line - 1] + m.column - 1, scalars.count) }

        func find(_ c: Unicode.Scalar, from: Int) -> Int? { scalars[from...].firstIndex(of: c) }

        func isQuote(_ m: Mark?) -> Bool {
            guard let m else { return false }
            let i = offset(m)
            return i < scalars.count && (scalars[i] == "'" || scalars[i] == "\"")
        }

        /// Whether the collection at `m` is written in flow style (Yams gives every collection the style
        /// `.any`: it reads the style from the collection's end event).
        func isFlow(_ m: Mark) -> Bool {
            let i = offset(m)
            return i < scalars.count && (scalars[i] == "[" || scalars[i] == "{")
        }

        /// The bracket that closes the one at `from`, skipping quoted text and comments.
        func closing(from: Int) -> Int? {
            var depth = 0, quote: Unicode.Scalar?, i = from
            while i < scalars.count {
                let s = scalars[i]
                if let q = quote {
                    if s == q { quote = nil }
                } else if s == "'" || s == "\"" {
                    quote = s
                } else if s == "#" && i > 0 && (scalars[i - 1] == " " || scalars[i - 1] == "\t") {
                    while i < scalars.count && scalars[i] != "\n" { i += 1 }
                } else if s == "[" || s == "{" {
                    depth += 1
                } else if s == "]" || s == "}" {
                    depth -= 1
                    if depth == 0 { return i }
                }
                i += 1
            }
            return nil
        }

        /// Where a value ends: after the closing bracket of a flow collection, at the end of the last line of a
        /// block one (its trailing comment dropped), after a plain or quoted scalar.
        func end(of node: Node) -> Int? {
            guard let m = node.mark else { return nil }
            let start = offset(m)
            if node.scalar == nil && isFlow(m) { return (closing(from: start) ?? start) + 1 }
            switch node {
            case .sequence(let s):
                let last = s.compactMap(\.mark).max { ($0.line, $0.column) < ($1.line, $1.column) } ?? m
                return lineEnd(last.line)
            case .mapping(let s):
                let last = s.compactMap(\.value.mark).max { ($0.line, $0.column) < ($1.line, $1.column) } ?? m
                return lineEnd(last.line)
            case .scalar:
                var i = start
                while i < scalars.count && scalars[i] != "\n" && scalars[i] != "\r" && !(scalars[i] == "#" && i > start && scalars[i - 1] == " ") { i += 1 }
                while i > start && scalars[i - 1] == " " { i -= 1 }
                return i
            }
        }

        func lineEnd(_ line: Int) -> Int {
            var i = lineStarts[line - 1]
            while i < scalars.count && scalars[i] != "\n" && scalars[i] != "\r" { i += 1 }
            return i
        }
    }
}
