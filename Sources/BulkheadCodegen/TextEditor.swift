import BulkheadAnalysis
import BulkheadModel

/// Applies text edits to one file's bytes, in one pass over the original buffer.
public enum TextEditor {
    public static func apply(_ edits: [Edit], to original: [UInt8], file: String) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(original.count + edits.count * 32)
        var cursor = 0
        var previous: Edit?
        for e in Set(edits).sorted() {
            let start = e.span.offset, end = e.span.offset + e.span.length
            guard start >= cursor, end <= original.count else {
                throw DiagnosticError(.error("internal: overlapping or out-of-range edits in '\(file)' at byte \(start): '\(e.text)' after '\(previous?.text ?? "")' (byte \(previous?.span.offset ?? 0), \(previous?.span.length ?? 0) long)"))
            }
            previous = e
            out += original[cursor..<start]
            out += Array(e.text.utf8)
            cursor = end
        }
        out += original[cursor...]
        return out
    }
}
