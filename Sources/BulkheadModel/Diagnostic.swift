/// One finding, printed the way clang prints its own: `file:line:col: error: message`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case note, warning, error
        public static func < (a: Severity, b: Severity) -> Bool {
            let order: [Severity] = [.note, .warning, .error]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String

    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    public static func error(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location)
    }

    public static func warning(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: location)
    }

    public static func note(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.note, message, at: location)
    }

    public var description: String {
        let prefix = location.map { "\($0): " } ?? "bulkhead: "
        return "\(prefix)\(severity.rawValue): \(message)"
    }
}

/// Thrown by every stage when it cannot go on; carries all the errors found so far (and any notes).
public struct DiagnosticError: Error, CustomStringConvertible, Sendable {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(_ diagnostic: Diagnostic) { self.diagnostics = [diagnostic] }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects findings of one stage; `check()` throws when any of them is an error.
public struct DiagnosticSink: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []
    public init() {}

    public mutating func add(_ d: Diagnostic) { diagnostics.append(d) }
    public mutating func error(_ message: String, at location: SourceLocation? = nil) { add(.error(message, at: location)) }
    public mutating func warning(_ message: String, at location: SourceLocation? = nil) { add(.warning(message, at: location)) }
    public mutating func note(_ message: String, at location: SourceLocation? = nil) { add(.note(message, at: location)) }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public func check() throws {
        if hasErrors { throw DiagnosticError(diagnostics) }
    }
}

/// "did you mean" for misspelt names: the candidate closest by edit distance, when close enough.
public enum Spelling {
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        var best: (String, Int)?
        for c in candidates.sorted() {
            let d = distance(word, c)
            if d <= max(1, min(word.count, c.count) / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    public static func didYouMean(_ word: String, among candidates: [String]) -> String {
        suggestion(for: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
