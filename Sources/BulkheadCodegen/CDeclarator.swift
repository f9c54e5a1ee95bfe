import BulkheadModel
import Foundation

/// Writes C declarations from clang's type spellings.
enum CDeclarator {
    /// `int x`, `const char *s`, `int (*cmp)(const void *, const void *)`, `char (*row)[10]`.
    static func declare(_ type: String, _ name: String) -> String {
        if let r = type.range(of: "(*)") {
            return type.replacingCharacters(in: r, with: "(*\(name))")
        }
        if let r = type.range(of: "(*") {
            // e.g. a pointer to a function returning a pointer: insert after the innermost '(*'
            return type.replacingCharacters(in: r, with: "(*\(name)")
        }
        if let bracket = type.firstIndex(of: "[") {
            // an array parameter as written (`const uint8_t[]`): the name goes before the brackets
            let element = type[..<bracket].trimmingCharacters(in: .whitespaces)
            return declare(element, name) + type[bracket...]
        }
        return type.hasSuffix("*") ? "\(type)\(name)" : "\(type) \(name)"
    }

    static func parameterList(_ params: [Parameter], variadic: Bool) -> String {
        if params.isEmpty { return variadic ? "..." : "void" }
        let list = params.map { declare($0.type, $0.name) }.joined(separator: ", ")
        return variadic ? list + ", ..." : list
    }

    /// Whether a result type cannot be written in front of a declarator (function pointers, arrays).
    static func needsTypedef(_ type: String) -> Bool { type.contains("(") || type.contains("[") }

    static func isVoid(_ type: String) -> Bool { type == "void" }

    /// The original prototype, for the comment over a stub.
    static func prototype(name: String, result: String, params: [Parameter], variadic: Bool) -> String {
        let head = "\(name)(\(parameterList(params, variadic: variadic)))"
        return needsTypedef(result) ? declare(result, head) : "\(result) \(head)"
    }
}

extension CDeclarator {
    /// A declaration that can be assigned: top-level qualifiers dropped and arrays as pointers, for the
    /// fields of a gate frame (`const int` -> `int`, `const uint8_t[]` -> `const uint8_t *`).
    static func field(_ type: String, _ name: String) -> String {
        var t = type.trimmingCharacters(in: .whitespaces)
        if !t.contains("("), let bracket = t.firstIndex(of: "[") {
            let element = String(t[..<bracket]).trimmingCharacters(in: .whitespaces)
            let closing = t[bracket...].firstIndex(of: "]").map { t.index(after: $0) } ?? t.endIndex
            let rest = String(t[closing...])
            return rest.isEmpty ? declare(element + " *", name) : declare("\(element) (*)\(rest)", name)
        }
        for q in ["const", "volatile"] {
            if t.hasSuffix("*" + q) || t.hasSuffix("* " + q) { t = String(t.dropLast(q.count)).trimmingCharacters(in: .whitespaces) }
            if !t.contains("*"), t.hasPrefix(q + " ") { t = String(t.dropFirst(q.count + 1)) }
        }
        return declare(t, name)
    }
}
