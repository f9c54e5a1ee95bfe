import BulkheadModel
import Foundation
import Yams

/// Reading one value of the annotation file: scalars, lists, names and choices, each reported where it is
/// wrong; and the YAML node helpers the schema walk shares.
extension ConfigReader {
    /// A scalar's text (numbers and booleans keep the text they were written with).
    mutating func string(_ e: Entry, example: String) -> Located<String>? {
        if case .scalar(let s) = e.value, !isNull(e.value) { return Located(s.string, at: e.valueLocation) }
        sink.error("expected a string for '\(e.key)', like '\(example)'; found \(describe(e.value))",
                   at: e.valueLocation)
        return nil
    }

    /// A list of scalars; an empty value is an empty list.
    mutating func strings(_ e: Entry, example: String) -> [Located<String>] {
        if isNull(e.value) { return [] }
        guard case .sequence(let items) = e.value else {
            sink.error("expected a list of strings for '\(e.key)', like \(example); found \(describe(e.value))",
                       at: e.valueLocation)
            return []
        }
        var out: [Located<String>] = []
        for item in items {
            if case .scalar(let s) = item, !isNull(item) {
                out.append(Located(s.string, at: location(item)))
            } else {
                sink.error("expected a list of strings for '\(e.key)', like \(example); this item is \(describe(item))",
                           at: location(item))
            }
        }
        return out
    }

    mutating func bool(_ e: Entry) -> Bool? {
        if case .scalar(let s) = e.value, e.value.tag.description == Tag.Name.bool.rawValue {
            return ["true", "yes", "on"].contains(s.string.lowercased())
        }
        sink.error("expected true or false for '\(e.key)'; found \(describe(e.value))", at: e.valueLocation)
        return nil
    }

    /// A map; an empty value is an empty map.
    mutating func map(_ e: Entry, what: String, example: String) -> Node? {
        if isNull(e.value) { return .mapping(Node.Mapping([])) }
        if case .mapping = e.value { return e.value }
        sink.error("expected \(what) for '\(e.key)', like '\(example)'; found \(describe(e.value))",
                   at: e.valueLocation)
        return nil
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ text: Located<String>, key: String) -> T?
    where T.RawValue == String {
        if let value = T(rawValue: text.value) { return value }
        let names = T.allCases.map(\.rawValue)
        sink.error("\(key) must be one of \(names.joined(separator: ", ")), not '\(text.value)'"
                   + Spelling.didYouMean(text.value, among: names), at: text.location)
        return nil
    }

    /// One of an enumeration's names; an empty value is no value.
    mutating func option<T>(_ e: Entry?, example: String) -> Located<T>?
    where T: RawRepresentable & CaseIterable & Hashable & Sendable, T.RawValue == String {
        guard let e, !isNull(e.value), let text = string(e, example: example),
              let value: T = choice(text, key: e.key) else { return nil }
        return Located(value, at: text.location)
    }

    mutating func identifiers(_ e: Entry, what: String) -> [Located<String>] {
        let names = strings(e, example: "[name1, name2]")
        for n in names { checkIdentifier(n, what: what) }
        return names
    }

    /// Names of libraries; when the defined ones are known (`defined` not nil), each must be one of them.
    mutating func libraryReferences(_ e: Entry, known defined: [String]?) -> [Located<String>] {
        let names = strings(e, example: "[core, parser]")
        guard let defined else { return names }
        return known(names, among: defined, what: "library", otherwise: "; define it under 'libraries' first")
    }

    /// The names that are among `candidates`, reporting the others with the closest candidate.
    mutating func known(_ names: [Located<String>], among candidates: [String], what: String,
                                otherwise: String) -> [Located<String>] {
        names.filter { name in
            if candidates.contains(name.value) { return true }
            let hint = Spelling.didYouMean(name.value, among: candidates)
            sink.error("unknown \(what) '\(name.value)'" + (hint.isEmpty ? otherwise : hint), at: name.location)
            return false
        }
    }

    /// Library and compartment names: like C identifiers, but they may also hold '-'.
    mutating func checkName(_ name: Located<String>, what: String) {
        if !isIdentifier(name.value, dash: true) {
            sink.error("invalid \(what) name '\(name.value)'; start it with a letter or '_' and use only letters, "
                       + "digits, '_' and '-'", at: name.location)
        }
    }

    mutating func checkIdentifier(_ name: Located<String>, what: String) {
        if !isIdentifier(name.value, dash: false) {
            sink.error("'\(name.value)' is not a C identifier; write the \(what) name with letters, digits and '_', "
                       + "not starting with a digit", at: name.location)
        }
    }

    func isIdentifier(_ s: String, dash: Bool) -> Bool {
        guard let first = s.unicodeScalars.first, isLetter(first) || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || $0 == "_" || (dash && $0 == "-") }
    }

    func isFileName(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".."
            && s.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    /// The keys of a map in file order, reporting keys that are not plain names, given twice, or not in `allowed`.
    mutating func entries(_ node: Node, allowed: [String]?, context: String) -> [Entry] {
        guard case .mapping(let m) = node else { return [] }
        var seen: [String: SourceLocation] = [:]
        var out: [Entry] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k, !isNull(k) else {
                sink.error("expected a name as the key\(context); found \(describe(k))", at: location(k))
                continue
            }
            let key = ks.string, keyLocation = location(k)
            if let first = seen[key] {
                sink.error("duplicate key '\(key)'\(context); it was already given at line \(first.line), so "
                           + "remove one of them", at: keyLocation)
                continue
            }
            seen[key] = keyLocation
            if let allowed, !allowed.contains(key) {
                let hint = Spelling.didYouMean(key, among: allowed)
                sink.error("unknown key '\(key)'\(context)"
                           + (hint.isEmpty ? "; use one of \(allowed.joined(separator: ", "))" : hint),
                           at: keyLocation)
                continue
            }
            let empty = isNull(v) && v.scalar?.string.isEmpty == true
            out.append(Entry(key: key, keyLocation: keyLocation, value: v,
                             valueLocation: empty ? keyLocation : location(v)))
        }
        return out
    }

    mutating func required(_ key: String, in keys: [String: Entry], at location: SourceLocation,
                                   context: String = "") -> Entry? {
        if keys[key] == nil { sink.error("missing required key '\(key)'\(context)", at: location) }
        return keys[key]
    }

    func keyed(_ entries: [Entry]) -> [String: Entry] {
        Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func isNull(_ node: Node) -> Bool {
        node.scalar != nil && node.tag.description == Tag.Name.null.rawValue
    }

    func describe(_ node: Node) -> String {
        guard case .scalar(let s) = node else { return node.mapping != nil ? "a map" : "a list" }
        switch node.tag.description {
        case Tag.Name.null.rawValue: return s.string.isEmpty ? "nothing" : "null"
        case Tag.Name.bool.rawValue: return "the boolean '\(s.string)'"
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return "the number '\(s.string)'"
        default: return "the string '\(s.string)'"
        }
    }

    func location(_ node: Node) -> SourceLocation {
        let line = node.mark?.line ?? 1, column = node.mark?.column ?? 1
        return SourceLocation(file: displayPath, line: line, column: lines.byteColumn(line: line, column: column))
    }
}
