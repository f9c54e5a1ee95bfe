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
    private static func yamlDiagnostic(_ error: Error, lines: LineTable, displayPath: String) -> Diagnostic {
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

/// A key of a YAML map with its value; `valueLocation` is the key's when the value was left empty.
private struct Entry {
    let key: String, keyLocation: SourceLocation, value: Node, valueLocation: SourceLocation
}

/// Walks the YAML tree along the schema, collecting every problem in `sink`.
private struct ConfigReader {
    let displayPath: String
    let lines: LineTable
    var sink: DiagnosticSink

    static let topKeys = ["program", "backend", "compile_commands", "cflags", "ldflags", "libraries", "compartments",
                          "shared", "gates"]
    static let libraryKeys = ["sources", "cflags"]
    static let compartmentKeys = ["libraries", "default", "hardening", "syscalls", "on_fault", "private_rodata"]
    static let sharedKeys = ["globals", "callbacks", "heap"]
    static let gateKeys = ["variadic_via", "error_return", "args", "ret"]
    static let marshallingKeys = ["dir", "size", "count", "string"]
    static let syscalls = SyscallNames.x86_64.sorted()

    mutating func read(_ root: Node?, path: String, baseDirectory: String) -> Config? {
        let start = SourceLocation(file: displayPath, line: 1, column: 1)
        guard let root, !isNull(root) else {
            sink.error("the annotation file is empty; it needs at least 'program', 'libraries' and 'compartments'",
                       at: start)
            return nil
        }
        guard case .mapping = root else {
            sink.error("expected a map of settings at the top level, like 'program: NAME'; found \(describe(root))",
                       at: location(root))
            return nil
        }
        let top = keyed(entries(root, allowed: Self.topKeys, context: ""))
        let rootLocation = location(root)

        let program = required("program", in: top, at: rootLocation).flatMap { string($0, example: "program: server") }
        if let program, !isFileName(program.value) {
            sink.error("invalid program name '\(program.value)'; use only letters, digits, '_', '.' and '-', "
                       + "like 'server'", at: program.location)
        }

        let backend = option(top["backend"], example: "backend: fcall") ?? Located(BackendKind.fcall, at: start)

        var compileCommands: Located<String>?
        if let e = top["compile_commands"], !isNull(e.value) {
            compileCommands = string(e, example: "compile_commands: build/compile_commands.json")
        }
        let cflags = top["cflags"].map { strings($0, example: "[-O2, -DNDEBUG]").map(\.value) } ?? []
        let ldflags = top["ldflags"].map { strings($0, example: "[-lm, -pthread]").map(\.value) } ?? []

        var libraries: [LibraryConfig] = [], libraryNames: [String]?
        if let e = required("libraries", in: top, at: rootLocation), let list = libraryList(e) {
            (libraries, libraryNames) = list
        }
        let compartments = required("compartments", in: top, at: rootLocation).map {
            compartmentList($0, libraryNames: libraryNames)
        } ?? []

        var shared = SharedConfig()
        if let e = top["shared"], !isNull(e.value),
           let m = map(e, what: "a map of shared names", example: "shared: { globals: [counter] }") {
            let s = keyed(entries(m, allowed: Self.sharedKeys, context: " in 'shared'"))
            shared.globals = s["globals"].map { identifiers($0, what: "global variable") } ?? []
            shared.callbacks = s["callbacks"].map { identifiers($0, what: "function") } ?? []
            shared.heap = s["heap"].map { libraryReferences($0, known: libraryNames) } ?? []
        }

        var gates: [GateConfig] = []
        if let e = top["gates"], !isNull(e.value),
           let m = map(e, what: "a map from function name to gate", example: "gates: { parse: { error_return: -1 } }") {
            gates = entries(m, allowed: nil, context: " in 'gates'").compactMap { gate($0) }
        }

        guard let program, !sink.hasErrors else { return nil }
        return Config(path: path, baseDirectory: baseDirectory, displayPath: displayPath, program: program,
                      backend: backend, compileCommands: compileCommands, cflags: cflags, ldflags: ldflags,
                      libraries: libraries, compartments: compartments, shared: shared, gates: gates)
    }

    private mutating func libraryList(_ e: Entry) -> (libraries: [LibraryConfig], names: [String])? {
        let example = "libraries: { core: { sources: [src/*.c] } }"
        guard let m = map(e, what: "a map from library name to its settings", example: example) else { return nil }
        let all = entries(m, allowed: nil, context: " in 'libraries'")
        if all.isEmpty {
            sink.error("'libraries' must define at least one library, like '\(example)'", at: e.keyLocation)
        }
        var libraries: [LibraryConfig] = []
        for lib in all {
            let name = Located(lib.key, at: lib.keyLocation)
            checkName(name, what: "library")
            guard let body = map(lib, what: "a map of settings",
                                 example: "\(lib.key): { sources: [src/*.c] }") else { continue }
            let keys = keyed(entries(body, allowed: Self.libraryKeys, context: " in library '\(lib.key)'"))
            var sources: [Located<String>] = []
            if let s = required("sources", in: keys, at: lib.keyLocation, context: " in library '\(lib.key)'") {
                let before = sink.diagnostics.count
                sources = strings(s, example: "[src/*.c]")
                if sources.isEmpty, sink.diagnostics.count == before {
                    sink.error("'sources' must list at least one file or glob, like [src/*.c]", at: s.keyLocation)
                }
            }
            let cflags = keys["cflags"].map { strings($0, example: "[-O2, -DNDEBUG]").map(\.value) } ?? []
            libraries.append(LibraryConfig(name: name, sources: sources, cflags: cflags))
        }
        return (libraries, all.map(\.key))
    }

    private mutating func compartmentList(_ e: Entry, libraryNames: [String]?) -> [CompartmentConfig] {
        let example = "compartments: { main: { default: true } }"
        guard let m = map(e, what: "a map from compartment name to its settings", example: example) else { return [] }
        let all = entries(m, allowed: nil, context: " in 'compartments'")
        if all.isEmpty {
            sink.error("'compartments' must define at least one compartment, like '\(example)'", at: e.keyLocation)
            return []
        }
        var compartments: [CompartmentConfig] = []
        var owner: [String: String] = [:]
        var firstDefault: String?
        var anyBodyFailed = false
        for c in all {
            let name = Located(c.key, at: c.keyLocation)
            checkName(name, what: "compartment")
            guard let body = map(c, what: "a map of settings",
                                 example: "\(c.key): { libraries: [core] }") else { anyBodyFailed = true; continue }
            let keys = keyed(entries(body, allowed: Self.compartmentKeys, context: " in compartment '\(c.key)'"))
            var libraries: [Located<String>] = []
            if let l = keys["libraries"] {
                for lib in libraryReferences(l, known: libraryNames) {
                    if let first = owner[lib.value] {
                        sink.error("library '\(lib.value)' is already in compartment '\(first)'; list each library "
                                   + "in one compartment only", at: lib.location)
                    } else {
                        owner[lib.value] = c.key
                        libraries.append(lib)
                    }
                }
            }
            var isDefault = false
            if let d = keys["default"] {
                if let value = bool(d) { isDefault = value } else { anyBodyFailed = true }
                if isDefault, let firstDefault {
                    sink.error("compartment '\(c.key)' has 'default: true', but compartment '\(firstDefault)' already "
                               + "has it; mark only one compartment as the default", at: d.valueLocation)
                } else if isDefault {
                    firstDefault = c.key
                }
            }
            var hardening: [Hardening] = []
            for h in keys["hardening"].map({ strings($0, example: "[asan, stack-protector]") }) ?? [] {
                if let value: Hardening = choice(h, key: "hardening"), !hardening.contains(value) {
                    hardening.append(value)
                }
            }
            let syscalls = known(keys["syscalls"].map { strings($0, example: "[read, write]") } ?? [],
                                 among: Self.syscalls, what: "syscall",
                                 otherwise: "; write a Linux x86_64 system call name, like 'read'")
            let onFault = option(keys["on_fault"], example: "on_fault: restart")?.value ?? FaultPolicy.abort
            var compartment = CompartmentConfig(name: name, libraries: libraries, isDefault: isDefault,
                                                hardening: hardening, syscalls: syscalls, onFault: onFault)
            if let p = keys["private_rodata"] {
                if let value = bool(p) { compartment.privateRodata = value } else { anyBodyFailed = true }
            }
            compartments.append(compartment)
        }
        if firstDefault == nil, !anyBodyFailed {
            sink.error("no compartment has 'default: true'; add it to the compartment that should hold every "
                       + "library not listed elsewhere", at: e.keyLocation)
        }
        return compartments
    }

    private mutating func gate(_ g: Entry) -> GateConfig? {
        let function = Located(g.key, at: g.keyLocation)
        checkIdentifier(function, what: "function")
        guard let body = map(g, what: "a map of settings", example: "\(g.key): { error_return: -1 }")
        else { return nil }
        let keys = keyed(entries(body, allowed: Self.gateKeys, context: " in gate '\(g.key)'"))
        var gate = GateConfig(function: function)
        if let v = keys["variadic_via"], let name = string(v, example: "variadic_via: vprintf") {
            checkIdentifier(name, what: "function")
            gate.variadicVia = name
        }
        gate.errorReturn = keys["error_return"].flatMap { string($0, example: "error_return: -1") }
        if let a = keys["args"], !isNull(a.value),
           let m = map(a, what: "a map from parameter name to how it is passed",
                       example: "args: { buf: { dir: out, size: len } }") {
            for arg in entries(m, allowed: nil, context: " in the args of gate '\(g.key)'") {
                let parameter = Located(arg.key, at: arg.keyLocation)
                checkIdentifier(parameter, what: "parameter")
                if let marshalling = marshalling(arg, of: "argument '\(arg.key)' of gate '\(g.key)'", isResult: false) {
                    gate.arguments.append(ArgumentConfig(parameter: parameter, marshalling: marshalling))
                }
            }
        }
        if let r = keys["ret"] {
            gate.result = marshalling(r, of: "the result of gate '\(g.key)'", isResult: true)
            gate.resultLocation = r.keyLocation
        }
        return gate
    }

    private mutating func marshalling(_ e: Entry, of what: String, isResult: Bool) -> Marshalling? {
        let example = isResult ? "ret: { string: true }" : "\(e.key): { dir: out, size: len }"
        guard let m = map(e, what: "a map of marshalling settings", example: example) else { return nil }
        var result = Marshalling()
        var stringEntry: Entry?
        for k in entries(m, allowed: Self.marshallingKeys, context: " in \(what)") {
            switch k.key {
            case "dir":
                if isResult {
                    sink.error("'dir' is not allowed in 'ret'; a result is always passed back to the caller, so "
                               + "remove it", at: k.keyLocation)
                } else if let dir: Located<Direction> = option(k, example: "dir: out") {
                    result.direction = dir.value
                }
            case "size": result.size = string(k, example: "size: len")
            case "count": result.count = string(k, example: "count: n")
            default:
                if let flag = bool(k) {
                    result.isString = flag
                    stringEntry = k
                }
            }
        }
        if result.isString, let s = stringEntry,
           let other = result.size != nil ? "size" : result.count != nil ? "count" : nil {
            sink.error("'string: true' cannot be combined with '\(other)'; a string is copied up to its terminating "
                       + "NUL, so remove one of them", at: s.keyLocation)
        }
        return result
    }

    /// A scalar's text (numbers and booleans keep the text they were written with).
    private mutating func string(_ e: Entry, example: String) -> Located<String>? {
        if case .scalar(let s) = e.value, !isNull(e.value) { return Located(s.string, at: e.valueLocation) }
        sink.error("expected a string for '\(e.key)', like '\(example)'; found \(describe(e.value))",
                   at: e.valueLocation)
        return nil
    }

    /// A list of scalars; an empty value is an empty list.
    private mutating func strings(_ e: Entry, example: String) -> [Located<String>] {
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

    private mutating func bool(_ e: Entry) -> Bool? {
        if case .scalar(let s) = e.value, e.value.tag.description == Tag.Name.bool.rawValue {
            return ["true", "yes", "on"].contains(s.string.lowercased())
        }
        sink.error("expected true or false for '\(e.key)'; found \(describe(e.value))", at: e.valueLocation)
        return nil
    }

    /// A map; an empty value is an empty map.
    private mutating func map(_ e: Entry, what: String, example: String) -> Node? {
        if isNull(e.value) { return .mapping(Node.Mapping([])) }
        if case .mapping = e.value { return e.value }
        sink.error("expected \(what) for '\(e.key)', like '\(example)'; found \(describe(e.value))",
                   at: e.valueLocation)
        return nil
    }

    private mutating func choice<T: RawRepresentable & CaseIterable>(_ text: Located<String>, key: String) -> T?
    where T.RawValue == String {
        if let value = T(rawValue: text.value) { return value }
        let names = T.allCases.map(\.rawValue)
        sink.error("\(key) must be one of \(names.joined(separator: ", ")), not '\(text.value)'"
                   + Spelling.didYouMean(text.value, among: names), at: text.location)
        return nil
    }

    /// One of an enumeration's names; an empty value is no value.
    private mutating func option<T>(_ e: Entry?, example: String) -> Located<T>?
    where T: RawRepresentable & CaseIterable & Hashable & Sendable, T.RawValue == String {
        guard let e, !isNull(e.value), let text = string(e, example: example),
              let value: T = choice(text, key: e.key) else { return nil }
        return Located(value, at: text.location)
    }

    private mutating func identifiers(_ e: Entry, what: String) -> [Located<String>] {
        let names = strings(e, example: "[name1, name2]")
        for n in names { checkIdentifier(n, what: what) }
        return names
    }

    /// Names of libraries; when the defined ones are known (`defined` not nil), each must be one of them.
    private mutating func libraryReferences(_ e: Entry, known defined: [String]?) -> [Located<String>] {
        let names = strings(e, example: "[core, parser]")
        guard let defined else { return names }
        return known(names, among: defined, what: "library", otherwise: "; define it under 'libraries' first")
    }

    /// The names that are among `candidates`, reporting the others with the closest candidate.
    private mutating func known(_ names: [Located<String>], among candidates: [String], what: String,
                                otherwise: String) -> [Located<String>] {
        names.filter { name in
            if candidates.contains(name.value) { return true }
            let hint = Spelling.didYouMean(name.value, among: candidates)
            sink.error("unknown \(what) '\(name.value)'" + (hint.isEmpty ? otherwise : hint), at: name.location)
            return false
        }
    }

    /// Library and compartment names: like C identifiers, but they may also hold '-'.
    private mutating func checkName(_ name: Located<String>, what: String) {
        if !isIdentifier(name.value, dash: true) {
            sink.error("invalid \(what) name '\(name.value)'; start it with a letter or '_' and use only letters, "
                       + "digits, '_' and '-'", at: name.location)
        }
    }

    private mutating func checkIdentifier(_ name: Located<String>, what: String) {
        if !isIdentifier(name.value, dash: false) {
            sink.error("'\(name.value)' is not a C identifier; write the \(what) name with letters, digits and '_', "
                       + "not starting with a digit", at: name.location)
        }
    }

    private func isIdentifier(_ s: String, dash: Bool) -> Bool {
        guard let first = s.unicodeScalars.first, isLetter(first) || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || $0 == "_" || (dash && $0 == "-") }
    }

    private func isFileName(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".."
            && s.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    private func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    private func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    /// The keys of a map in file order, reporting keys that are not plain names, given twice, or not in `allowed`.
    private mutating func entries(_ node: Node, allowed: [String]?, context: String) -> [Entry] {
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

    private mutating func required(_ key: String, in keys: [String: Entry], at location: SourceLocation,
                                   context: String = "") -> Entry? {
        if keys[key] == nil { sink.error("missing required key '\(key)'\(context)", at: location) }
        return keys[key]
    }

    private func keyed(_ entries: [Entry]) -> [String: Entry] {
        Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func isNull(_ node: Node) -> Bool {
        node.scalar != nil && node.tag.description == Tag.Name.null.rawValue
    }

    private func describe(_ node: Node) -> String {
        guard case .scalar(let s) = node else { return node.mapping != nil ? "a map" : "a list" }
        switch node.tag.description {
        case Tag.Name.null.rawValue: return s.string.isEmpty ? "nothing" : "null"
        case Tag.Name.bool.rawValue: return "the boolean '\(s.string)'"
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return "the number '\(s.string)'"
        default: return "the string '\(s.string)'"
        }
    }

    private func location(_ node: Node) -> SourceLocation {
        let line = node.mark?.line ?? 1, column = node.mark?.column ?? 1
        return SourceLocation(file: displayPath, line: line, column: lines.byteColumn(line: line, column: column))
    }
}
