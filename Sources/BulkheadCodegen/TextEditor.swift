import BulkheadAnalysis
import BulkheadModel

/// Applies text edits to one file's bytes, in one pass over the original buffer.
public enum TextEditor {
    public static func apply(_ edits: [Edit], to original: [UInt8], file: String) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(original.count + edits.count * 32)
        var cursor = 0
        var previous: (span: TextSpan, rank: Int, text: String)?
        let rendered = Set(edits.map { Rendered(span: $0.span, rank: $0.rank, text: EditText.text($0.content)) })
        for e in rendered.sorted(by: { ($0.span, $0.rank, $0.text) < ($1.span, $1.rank, $1.text) }) {
            let start = e.span.offset, end = e.span.offset + e.span.length
            guard start >= cursor, end <= original.count else {
                throw DiagnosticError(.error("internal: overlapping or out-of-range edits in '\(file)' at byte \(start): '\(e.text)' after '\(previous?.text ?? "")' (byte \(previous?.span.offset ?? 0), \(previous?.span.length ?? 0) long)"))
            }
            previous = (e.span, e.rank, e.text)
            out += original[cursor..<start]
            out += Array(e.text.utf8)
            cursor = end
        }
        out += original[cursor...]
        return out
    }
}

private struct Rendered: Hashable {
    var span: TextSpan
    var rank: Int
    var text: String
}
