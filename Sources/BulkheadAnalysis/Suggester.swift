import BulkheadModel

/// One drafted entry of `gates:`: how a pointer argument (or the result) should cross address spaces under
/// the process backend, with the evidence and a confidence.
public struct Suggestion: Hashable, Sendable {
    public enum Confidence: String, Sendable, Comparable {
        case low, medium, high
        public static func < (a: Confidence, b: Confidence) -> Bool {
            let order: [Confidence] = [.low, .medium, .high]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }
    public var function: String
    /// nil: the result (`ret:`).
    public var parameter: String?
    public var direction: String?
    public var size: String?
    public var count: String?
    public var isString: Bool
    public var confidence: Confidence
    public var reason: String

    /// The value as the annotation file writes it: `{ dir: in, string: true }`.
    public var yaml: String {
        var parts: [String] = []
        if let direction { parts.append("dir: \(direction)") }
        if isString { parts.append("string: true") }
        if let size { parts.append("size: \(size)") }
        if let count { parts.append("count: \(count)") }
        return "{ " + parts.joined(separator: ", ") + " }"
    }
}

/// Drafts the `gates:` entries that the process backend needs, from what the callee's body does with each
/// pointer parameter and what its callers pass: strings, buffer/length pairs, out-parameters, counts of
/// arrays, results that point into the callee's memory. Works on the plan and the frontend's facts only.
public struct Suggester {
    public let plan: Plan
    public let units: [TranslationUnitFacts]
    public let display: (SourceLocation) -> SourceLocation

    public init(plan: Plan, units: [TranslationUnitFacts], display: @escaping (SourceLocation) -> SourceLocation) {
        self.plan = plan
        self.units = units
        self.display = display
    }

    /// Every suggestion, whether or not the annotation file already says it; sorted by function, then the
    /// parameters in order, then the result.
    public func suggestions() -> [Suggestion] {
        let sharedHeap = Set(plan.sharedHeap)
        // callers that allocate from the shared heap pass pointers that mostly need no copy: what is drafted
        // for them has a low confidence
        var entries: [(name: String, unit: String, result: String, params: [Parameter], compartment: String, isCallback: Bool, shared: Bool)] = []
        for g in plan.gates where g.forwarded == nil {
            let shared = !g.uses.isEmpty && g.uses.allSatisfy { sharedHeap.contains($0.fromLibrary) }
            entries.append((g.name, g.definingUnit, g.resultType, g.parameters, g.compartment, false, shared))
        }
        for cb in plan.callbacks {
            let shared = plan.libraries.allSatisfy { $0.compartment == cb.compartment || sharedHeap.contains($0.name) }
            entries.append((cb.name, cb.definingUnit, cb.resultType, cb.parameters, cb.compartment, true, shared))
        }
        var out: [Suggestion] = []
        var seen: Set<String> = []
        for e in entries.sorted(by: { $0.name < $1.name }) where seen.insert(e.name).inserted {
            guard let body = units.first(where: { $0.file == e.unit })?.bodies.first(where: { $0.name == e.name }) else { continue }
            // pointers that the callee's compartment hands out (`EASY *easy_init(void)`) are handles: not copied
            let handles = Set(plan.gates.filter { $0.compartment == e.compartment }.compactMap {
                definition(named: $0.name, near: $0.definingUnit)?.body.resultPointee
            }.map(Self.unqualified).filter { $0.hasPrefix("struct ") || $0.hasPrefix("union ") })
            let shapes = units.flatMap { $0.uses }.filter { $0.isCall && $0.targetName == e.name }.compactMap { u in u.argumentShapes.map { (u, $0) } }
            for i in e.params.indices {
                if let s = suggest(parameter: i, of: e.params, body: body, unit: e.unit, callers: shapes, handles: handles, function: e.name,
                                      isCallback: e.isCallback) { out.append(e.shared ? Self.lowered(s) : s) }
            }
            // a result that the compartment's own gates of the same API family (a common name prefix, as in
            // `session_open`/`session_send`) take back is a handle, not data
            let takenBack = Set(plan.gates.filter { $0.compartment == e.compartment && Self.sameFamily($0.name, e.name) }.flatMap {
                definition(named: $0.name, near: $0.definingUnit)?.body.parameterPointees.compactMap { $0 } ?? []
            }.map(Self.unqualified))
            if let r = body.resultPointee.map(Self.unqualified), r.hasPrefix("struct ") || r.hasPrefix("union "), takenBack.contains(r) {
                continue
            }
            if let s = suggestResult(e.result, body: body, function: e.name) { out.append(e.shared ? Self.lowered(s) : s) }
        }
        return out
    }

    /// For callers that allocate from the shared heap: only pointers into their stacks or globals need it.
    static func lowered(_ s: Suggestion) -> Suggestion {
        var s = s
        s.confidence = .low
        s.reason += "; its callers allocate from the shared heap, so only a pointer into their stack or globals needs this"
        return s
    }

    // MARK: Parameters

    /// What a function does with one of its pointer parameters, following it into the program's own
    /// functions it is passed to (`mapping`: their parameters that are the root function's).
    private struct Evidence {
        var reads: [ParameterAccess] = []
        var writes: [ParameterAccess] = []
        var first: ParameterAccess?
        /// Whether that first access writes it (a store, or a library function that fills it).
        var firstWrites = false
        var stringUse: (why: String, at: SourceLocation)?
        /// Whether a string function takes it (not only a comparison of an element with NUL).
        var stringFunction = false
        var bound: (parameter: Int, bytes: Bool, why: String, strong: Bool)?
        var constantCount = 0
        var variableIndex = false
        var views: [String] = []
    }

    private func gather(_ body: FunctionBody, parameter i: Int, mapping: [Int: Int], names: [Parameter], unit: String,
                        into ev: inout Evidence, depth: Int, visited: inout Set<String>) {
        guard visited.insert("\(body.usr)#\(i)").inserted else { return }
        func consider(_ local: Int, bytes: Bool, why: (String) -> String, strong: Bool) {
            guard let n = mapping[local], Self.isInteger(names[n].type) else { return }
            if ev.bound == nil || (strong && !ev.bound!.strong) { ev.bound = (n, bytes, why(names[n].name), strong) }
        }
        for a in body.accesses where a.parameter == i {
            if let v = a.viewedAs { ev.views.append(v) }
            switch a.kind {
            case .read, .readWrite, .write:
                if ev.first == nil { ev.first = a; ev.firstWrites = a.kind == .write }
                if a.kind != .write { ev.reads.append(a) }
                if a.kind != .read { ev.writes.append(a) }
            case .comparedWithNul:
                ev.reads.append(a)
                if ev.first == nil { ev.first = a }
                if ev.stringUse == nil { ev.stringUse = ("an element is compared with NUL", a.location) }
            case .addressed:
                break
            case .passed:
                guard let callee = a.callee, let position = a.argument else { continue }
                if LibraryFunctions.stringArguments[callee]?.contains(position) == true
                    || (LibraryFunctions.formats[callee].map { position > $0 } ?? false) {
                    ev.reads.append(a)
                    if ev.first == nil { ev.first = a }
                    if !ev.stringFunction { ev.stringUse = ("passed to \(callee)", a.location) }
                    ev.stringFunction = true
                }
                if let n = LibraryFunctions.fixedArrays[callee]?[position] {
                    if ev.first == nil { ev.first = a; ev.firstWrites = true }
                    ev.writes.append(a)
                    ev.constantCount = max(ev.constantCount, n)
                }
                for use in LibraryFunctions.buffers[callee] ?? [] where use.pointer == position {
                    if ev.first == nil { ev.first = a; ev.firstWrites = use.writes }
                    if use.writes { ev.writes.append(a) } else { ev.reads.append(a) }
                    guard use.size < a.arguments.count else { continue }
                    let hasSizeof = use.size < a.argumentHasSizeof.count && a.argumentHasSizeof[use.size]
                    for v in a.arguments[use.size] where v.hasPrefix("#") {
                        consider(Int(v.dropFirst())!, bytes: !hasSizeof, why: { "\(callee) is given it with '\($0)' as its size at \(display(a.location))" }, strong: true)
                    }
                }
                // into a function of the program: what it does with that parameter counts too
                if depth < 4, LibraryFunctions.buffers[callee] == nil, LibraryFunctions.stringArguments[callee] == nil,
                   let next = definition(named: callee, near: unit) {
                    var inner: [Int: Int] = [:]
                    for (m, vars) in a.arguments.enumerated() where vars.count == 1 && vars[0].hasPrefix("#") {
                        if let n = mapping[Int(vars[0].dropFirst())!] { inner[m] = n }
                    }
                    gather(next.body, parameter: position, mapping: inner, names: names, unit: next.unit, into: &ev,
                           depth: depth + 1, visited: &visited)
                }
            }
            if a.kind != .passed {
                if let c = a.constantIndex { ev.constantCount = max(ev.constantCount, c + 1) } else if !a.index.isEmpty { ev.variableIndex = true }
            }
            // an element indexed by a parameter, or by a variable that a parameter bounds
            // (an index that is itself a parameter bounded by another: that other is the length)
            for v in a.index {
                let bounds = body.bounds.filter { $0.variable == v }
                for b in bounds {
                    consider(b.parameter, bytes: false, why: { "indexed by a variable bounded by '\($0)' at \(display(a.location))" }, strong: false)
                }
                if bounds.isEmpty, v.hasPrefix("#") {
                    consider(Int(v.dropFirst())!, bytes: false, why: { "indexed by '\($0)' at \(display(a.location))" }, strong: false)
                }
            }
        }
    }

    /// A function of the program by name: the definition in `unit` first (a static one), else any.
    private func definition(named name: String, near unit: String) -> (body: FunctionBody, unit: String)? {
        if let b = units.first(where: { $0.file == unit })?.bodies.first(where: { $0.name == name }) { return (b, unit) }
        for u in units { if let b = u.bodies.first(where: { $0.name == name }) { return (b, u.file) } }
        return nil
    }

    private func suggest(parameter i: Int, of params: [Parameter], body: FunctionBody, unit: String,
                         callers: [(FunctionUse, [ArgumentShape])], handles: Set<String>, function: String,
                         isCallback: Bool) -> Suggestion? {
        let p = params[i]
        guard let pointee = Self.pointee(p.type), !p.type.contains("va_list"), !p.isStdioStream else { return nil }
        // a callback's `void *` user data comes back from where its own compartment registered it
        if isCallback, Self.unqualified(pointee) == "void", Self.userDataNames.contains(where: { p.name.lowercased().contains($0) }) { return nil }
        var ev = Evidence()
        var visited: Set<String> = []
        gather(body, parameter: i, mapping: Dictionary(uniqueKeysWithValues: params.indices.map { ($0, $0) }), names: params,
               unit: unit, into: &ev, depth: 0, visited: &visited)
        // callers: `f(buf, sizeof buf)` pairs, string literals
        var literalAt: SourceLocation?
        for (use, shapes) in callers where i < shapes.count {
            if case .stringLiteral = shapes[i], literalAt == nil { literalAt = use.location }
            if case .variable(let x) = shapes[i] {
                for (n, s) in shapes.enumerated() where s == .sizeOf(x) && n != i && Self.isInteger(params[n].type) {
                    if ev.bound == nil || !ev.bound!.strong {
                        ev.bound = (n, true, "a caller passes (\(x), sizeof \(x)) at \(display(use.location))", true)
                    }
                }
            }
        }
        // what the callee takes it for, when it reads it through a cast (`*(const int *)a`)
        let view = Self.unqualified(pointee) == "void" ? ev.views.first.map(Self.unqualified) : nil
        let base = view ?? Self.unqualified(pointee)
        // written before it is read: what it held before the call is never looked at
        let direction = ev.firstWrites || (!ev.writes.isEmpty && ev.reads.isEmpty) ? "out" : !ev.writes.isEmpty ? "inout" : "in"
        let isChar = base == "char" || base == "signed char" || base == "unsigned char"
        // a NUL compared with an element alone says less than a length that bounds it
        if isChar, ev.writes.isEmpty, let (why, at) = ev.stringUse, ev.stringFunction || ev.bound == nil {
            return Suggestion(function: function, parameter: p.name, direction: "in", isString: true, confidence: .high,
                              reason: "a string: \(why) at \(display(at))")
        }
        if let b = ev.bound {
            let bytes = b.bytes || Self.byteTypes.contains(base)
            let conf: Suggestion.Confidence = ev.reads.isEmpty && ev.writes.isEmpty ? .low : b.strong ? .high : .medium
            return Suggestion(function: function, parameter: p.name, direction: direction, size: bytes ? params[b.parameter].name : nil,
                              count: bytes ? nil : params[b.parameter].name, isString: false, confidence: conf,
                              reason: "a buffer of '\(params[b.parameter].name)' \(bytes ? "bytes" : "elements"): \(b.why)")
        }
        if isChar, ev.writes.isEmpty, let at = literalAt {
            return Suggestion(function: function, parameter: p.name, direction: "in", isString: true, confidence: .medium,
                              reason: "a string: a caller passes a string literal at \(display(at))")
        }
        let canonical = i < body.parameterPointees.count ? body.parameterPointees[i].map(Self.unqualified) : nil
        guard !Self.byteTypes.contains(base), !handles.contains(canonical ?? Self.unqualified(pointee)), let first = ev.first else { return nil }
        let dir = direction
        if ev.constantCount > 1, !ev.variableIndex {
            return Suggestion(function: function, parameter: p.name, direction: dir, count: "\(ev.constantCount)", isString: false,
                              confidence: .medium, reason: "an array of \(ev.constantCount), indexed by constants only (up to [\(ev.constantCount - 1)])")
        }
        let size = "sizeof(\(view.map { $0 } ?? (pointee.hasSuffix("*") ? pointee : base)))"
        let why = dir == "out" ? "written before it is read (first at \(display(first.location)))"
            : dir == "in" ? "only read (first at \(display(first.location)))" : "read and written (first at \(display(first.location)))"
        return Suggestion(function: function, parameter: p.name, direction: dir, size: size, isString: false,
                          confidence: dir == "out" || !base.hasPrefix("struct ") ? .high : .medium,
                          reason: "one object, \(why)")
    }

    // MARK: The result

    private func suggestResult(_ result: String, body: FunctionBody, function: String) -> Suggestion? {
        guard let pointee = Self.pointee(result) else { return nil }
        let base = Self.unqualified(pointee)
        let isChar = base == "char"
        if let r = body.returns.first(where: { $0.kind == .storage }) {
            return Suggestion(function: function, parameter: nil, size: isChar ? nil : "sizeof(\(base))", isString: isChar,
                              confidence: isChar ? .high : .medium,
                              reason: "points into the callee's memory: returns '\(r.name ?? "")' at \(display(r.location))")
        }
        if isChar, let r = body.returns.first(where: { $0.kind == .literal }) {
            return Suggestion(function: function, parameter: nil, isString: true, confidence: .medium,
                              reason: "returns a string literal at \(display(r.location)) (read-only data: readable everywhere unless the compartment has private_rodata)")
        }
        return nil
    }

    // MARK: Types

    /// What a pointer type points to (`const char *` -> `const char`); nil for other types and function pointers.
    static func pointee(_ type: String) -> String? {
        let t = type.trimmingCharacters(in: .whitespaces)
        guard !t.contains("("), t.hasSuffix("*") || t.hasSuffix("* const") || t.hasSuffix("*const") else {
            if !t.contains("("), let b = t.firstIndex(of: "["), t.hasSuffix("]") { return String(t[..<b]).trimmingCharacters(in: .whitespaces) }
            return nil
        }
        var s = t
        if s.hasSuffix("const") { s = String(s.dropLast(5)).trimmingCharacters(in: .whitespaces) }
        return String(s.dropLast()).trimmingCharacters(in: .whitespaces)
    }

    static func unqualified(_ type: String) -> String {
        var t = type
        for q in ["const ", "volatile "] where t.hasPrefix(q) { t = String(t.dropFirst(q.count)) }
        return t
    }

    static func isInteger(_ type: String) -> Bool {
        let t = unqualified(type)
        return !t.contains("*") && !t.contains("[") && !t.contains("struct") && !t.contains("union") && !t.contains("float")
            && !t.contains("double") && !t.contains("(")
    }

    /// Two functions of one API: their names share a prefix of at least four characters.
    static func sameFamily(_ a: String, _ b: String) -> Bool {
        zip(a, b).prefix { $0 == $1 }.count >= 4
    }

    /// Names that a callback's `void *` user-data parameter usually has.
    static let userDataNames = ["ctx", "context", "user", "opaque", "cookie", "closure", "udata", "arg", "data"]

    /// Element types counted in bytes (`size:` rather than `count:`).
    static let byteTypes: Set<String> = ["void", "char", "signed char", "unsigned char", "uint8_t", "int8_t", "Bytef", "Byte", "BYTE", "u8"]
}

/// What the C library's functions do with their pointer arguments: one table, read by `Suggester`.
enum LibraryFunctions {
    /// Arguments read as NUL-terminated strings, by position.
    static let stringArguments: [String: Set<Int>] = [
        "strlen": [0], "strnlen": [0], "strcmp": [0, 1], "strncmp": [0, 1], "strcasecmp": [0, 1], "strncasecmp": [0, 1],
        "strcpy": [1], "strcat": [1], "strncat": [1], "strdup": [0], "strndup": [0], "strchr": [0], "strrchr": [0],
        "strstr": [0, 1], "strspn": [0, 1], "strcspn": [0, 1], "strpbrk": [0, 1], "strcoll": [0, 1], "strtok": [1],
        "atoi": [0], "atol": [0], "atoll": [0], "atof": [0], "strtol": [0], "strtoul": [0], "strtoll": [0],
        "strtoull": [0], "strtod": [0], "strtof": [0], "puts": [0], "fputs": [0], "fopen": [0, 1], "freopen": [0, 1],
        "open": [0], "creat": [0], "access": [0], "stat": [0], "lstat": [0], "unlink": [0], "remove": [0],
        "rename": [0, 1], "mkdir": [0], "rmdir": [0], "chdir": [0], "getenv": [0], "setenv": [0, 1], "perror": [0],
        "opendir": [0], "dlopen": [0], "system": [0], "execv": [0], "execvp": [0], "gethostbyname": [0],
        "printf": [0], "fprintf": [1], "sprintf": [1], "snprintf": [2], "dprintf": [1], "syslog": [1], "vprintf": [0],
        "vfprintf": [1], "vsprintf": [1], "vsnprintf": [2],
    ]

    /// Arguments that are arrays of a fixed number of elements, written (`pipe(fds)`: two).
    static let fixedArrays: [String: [Int: Int]] = ["pipe": [0: 2], "pipe2": [0: 2], "socketpair": [3: 2]]

    /// printf-style functions: the format's position; a `char *` after it is read as a string (`%s`).
    static let formats: [String: Int] = [
        "printf": 0, "fprintf": 1, "sprintf": 1, "snprintf": 2, "dprintf": 1, "syslog": 1, "vprintf": 0, "vfprintf": 1,
        "vsprintf": 1, "vsnprintf": 2,
    ]

    /// Arguments read or written as buffers whose size in bytes is another argument.
    struct BufferUse {
        var pointer: Int
        var size: Int
        var writes: Bool
    }

    static let buffers: [String: [BufferUse]] = [
        "memcpy": [BufferUse(pointer: 0, size: 2, writes: true), BufferUse(pointer: 1, size: 2, writes: false)],
        "memmove": [BufferUse(pointer: 0, size: 2, writes: true), BufferUse(pointer: 1, size: 2, writes: false)],
        "memset": [BufferUse(pointer: 0, size: 2, writes: true)],
        "memcmp": [BufferUse(pointer: 0, size: 2, writes: false), BufferUse(pointer: 1, size: 2, writes: false)],
        "memchr": [BufferUse(pointer: 0, size: 2, writes: false)],
        "strncpy": [BufferUse(pointer: 0, size: 2, writes: true)],
        "snprintf": [BufferUse(pointer: 0, size: 1, writes: true)],
        "vsnprintf": [BufferUse(pointer: 0, size: 1, writes: true)],
        "fgets": [BufferUse(pointer: 0, size: 1, writes: true)],
        "getcwd": [BufferUse(pointer: 0, size: 1, writes: true)],
        "read": [BufferUse(pointer: 1, size: 2, writes: true)],
        "pread": [BufferUse(pointer: 1, size: 2, writes: true)],
        "recv": [BufferUse(pointer: 1, size: 2, writes: true)],
        "write": [BufferUse(pointer: 1, size: 2, writes: false)],
        "pwrite": [BufferUse(pointer: 1, size: 2, writes: false)],
        "send": [BufferUse(pointer: 1, size: 2, writes: false)],
        "fread": [BufferUse(pointer: 0, size: 2, writes: true)],
        "fwrite": [BufferUse(pointer: 0, size: 2, writes: false)],
    ]
}
