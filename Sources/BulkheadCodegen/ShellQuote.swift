/// Quoting for the emitted Makefile's shell lines and for JSON-free display.
enum ShellQuote {
    static func quote(_ arg: String) -> String {
        let safe = arg.allSatisfy { $0.isLetter || $0.isNumber || "-_./=+,:@%".contains($0) }
        let q = safe && !arg.isEmpty ? arg : "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
        return q.replacingOccurrences(of: "$", with: "$$")
    }
}
