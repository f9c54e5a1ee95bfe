import BulkheadAnalysis
import BulkheadConfig
import BulkheadModel

/// `bulkhead suggest`'s output: the drafted entries as YAML, merged into an annotation file's text, and
/// scored against the entries written by hand.
enum SuggestionWriter {
    /// Suggestions that the file does not already say (or all of them).
    static func new(_ suggestions: [Suggestion], config: Config) -> [Suggestion] {
        suggestions.filter { s in
            guard let gate = config.gate(named: s.function) else { return true }
            if let p = s.parameter { return !gate.arguments.contains { $0.parameter.value == p } }
            return gate.result == nil
        }
    }

    static func comment(_ s: Suggestion) -> String { "# suggested (\(s.confidence.rawValue)): \(s.reason)" }

    /// A `gates:` map with the suggestions, each with its reason as a comment.
    static func yaml(_ suggestions: [Suggestion]) -> String {
        var out = "gates:\n"
        for (function, group) in grouped(suggestions) {
            out += "  \(function):\n"
            out += lines(group, indent: 4).joined(separator: "\n") + "\n"
        }
        return out
    }

    private static func grouped(_ suggestions: [Suggestion]) -> [(String, [Suggestion])] {
        var order: [String] = []
        var groups: [String: [Suggestion]] = [:]
        for s in suggestions {
            if groups[s.function] == nil { order.append(s.function) }
            groups[s.function, default: []].append(s)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// `args:` with its entries, then `ret:`, at `indent`.
    private static func lines(_ group: [Suggestion], indent: Int, withArgsKey: Bool = true) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var out: [String] = []
        let args = group.filter { $0.parameter != nil }
        if !args.isEmpty {
            if withArgsKey { out.append(pad + "args:") }
            let inner = withArgsKey ? pad + "  " : pad
            out += args.map { "\(inner)\($0.parameter!): \($0.yaml)  \(comment($0))" }
        }
        out += group.filter { $0.parameter == nil }.map { "\(pad)ret: \($0.yaml)  \(comment($0))" }
        return out
    }

    // MARK: Merging

    /// The annotation file's text with the suggestions added where they belong, keeping every line the user
    /// wrote; entries written in flow style (`f: { ... }`) are left alone and reported in `skipped`.
    static func merge(_ suggestions: [Suggestion], into text: String, config: Config) -> (text: String, skipped: [String]) {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var insertions: [(at: Int, lines: [String])] = []
        var skipped: [String] = []
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func isContent(_ line: String) -> Bool {
            let t = line.trimmingCharacters(in: .whitespaces)
            return !t.isEmpty && !t.hasPrefix("#")
        }
        /// The line after the block that starts at `start` (lines indented more than `level`), before trailing blanks.
        func blockEnd(_ start: Int, level: Int) -> Int {
            var end = start + 1
            var last = start
            while end < lines.count {
                if isContent(lines[end]) {
                    if indent(lines[end]) <= level { break }
                    last = end
                } else if !lines[end].trimmingCharacters(in: .whitespaces).isEmpty, indent(lines[end]) > level {
                    last = end   // a comment inside the block
                }
                end += 1
            }
            return last + 1
        }
        let gatesLine = lines.firstIndex { $0.hasPrefix("gates:") }
        var appended: [String] = []
        for (function, group) in grouped(suggestions) {
            guard let gate = config.gate(named: function) else {
                appended += ["  \(function):"] + Self.lines(group, indent: 4)
                continue
            }
            let keyLine = gate.function.location.line - 1
            let level = gate.function.location.column - 1
            guard keyLine < lines.count, !lines[keyLine].contains("{") else {
                skipped.append(function)
                continue
            }
            let end = blockEnd(keyLine, level: level)
            let args = group.filter { $0.parameter != nil }, ret = group.filter { $0.parameter == nil }
            var atEnd: [String] = []
            if !args.isEmpty {
                if let argsLine = (keyLine + 1..<end).first(where: { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("args:") }) {
                    if lines[argsLine].contains("{") {
                        skipped.append(function)
                    } else {
                        let argIndent = gate.arguments.first.map { $0.parameter.location.column - 1 } ?? indent(lines[argsLine]) + 2
                        insertions.append((blockEnd(argsLine, level: indent(lines[argsLine])), Self.lines(args, indent: argIndent, withArgsKey: false)))
                    }
                } else {
                    atEnd += Self.lines(args, indent: level + 2)
                }
            }
            atEnd += Self.lines(ret, indent: level + 2)
            if !atEnd.isEmpty { insertions.append((end, atEnd)) }
        }
        if !appended.isEmpty {
            if let g = gatesLine, lines[g].trimmingCharacters(in: .whitespaces) == "gates:" || lines[g].dropFirst(6).trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                insertions.append((blockEnd(g, level: 0), appended))
            } else if gatesLine == nil {
                insertions.append((lines.count, ["", "gates:"] + appended))
            } else {
                skipped.append("gates")
            }
        }
        // from the bottom up, so that earlier indexes stay valid; one index keeps its insertions in order
        for (at, new) in insertions.enumerated().sorted(by: { ($0.element.at, $0.offset) > ($1.element.at, $1.offset) }).map(\.element) {
            lines.insert(contentsOf: new, at: at)
        }
        return (lines.joined(separator: "\n") + "\n", skipped)
    }

    // MARK: Scoring

    struct Score {
        var suggested = 0, annotated = 0, sameEntry = 0, exact = 0
        var report: [String] = []
    }

    /// How the suggestions compare with the file's own entries (`args` and `ret`; `...N` left out).
    static func score(_ suggestions: [Suggestion], config: Config) -> Score {
        var score = Score()
        struct Hand { var function: String, parameter: String?, yaml: String, direction: String?, size: String?, count: String?, isString: Bool }
        var hand: [Hand] = []
        for g in config.gates {
            for a in g.arguments where !a.parameter.value.hasPrefix("...") {
                let m = a.marshalling
                hand.append(Hand(function: g.function.value, parameter: a.parameter.value, yaml: "", direction: m.direction.rawValue,
                                 size: m.size?.value, count: m.count?.value, isString: m.isString))
            }
            if let r = g.result {
                hand.append(Hand(function: g.function.value, parameter: nil, yaml: "", direction: nil, size: r.size?.value,
                                 count: r.count?.value, isString: r.isString))
            }
        }
        func norm(_ s: String?) -> String? { s.map { $0.filter { !$0.isWhitespace } } }
        score.suggested = suggestions.count
        score.annotated = hand.count
        for h in hand {
            let label = "\(h.function).\(h.parameter ?? "ret")"
            guard let s = suggestions.first(where: { $0.function == h.function && $0.parameter == h.parameter }) else {
                score.report.append("missed: \(label)")
                continue
            }
            score.sameEntry += 1
            let same = s.isString == h.isString && norm(s.size) == norm(h.size) && norm(s.count) == norm(h.count)
                && (h.parameter == nil || s.direction == h.direction)
            if same { score.exact += 1 } else { score.report.append("differs: \(label): suggested \(s.yaml)") }
        }
        for s in suggestions where !hand.contains(where: { $0.function == s.function && $0.parameter == s.parameter }) {
            score.report.append("extra: \(s.function).\(s.parameter ?? "ret") \(s.yaml) (\(s.confidence.rawValue))")
        }
        return score
    }
}
