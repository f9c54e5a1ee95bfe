import BulkheadModel
import Foundation
import Yams

/// A key of a YAML map with its value; `valueLocation` is the key's when the value was left empty.
struct Entry {
    let key: String, keyLocation: SourceLocation, value: Node, valueLocation: SourceLocation
}

/// Walks the YAML tree along the schema, collecting every problem in `sink`.
struct ConfigReader {
    let displayPath: String
    let lines: LineTable
    var sink: DiagnosticSink

    static let topKeys = ["program", "backend", "compile_commands", "cflags", "ldflags", "libraries", "compartments",
                          "shared", "gates"]
    static let libraryKeys = ["sources", "cflags"]
    static let compartmentKeys = ["libraries", "default", "hardening", "syscalls", "on_fault", "private_rodata", "backend", "gate"]
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
            // a compartment's name is part of C identifiers and linker symbols under process
            checkIdentifier(name, what: "compartment")
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
            let (syscalls, filter) = syscallFilter(keys["syscalls"])
            let onFault = option(keys["on_fault"], example: "on_fault: restart")?.value ?? FaultPolicy.abort
            var compartment = CompartmentConfig(name: name, libraries: libraries, isDefault: isDefault,
                                                hardening: hardening, syscalls: syscalls, onFault: onFault)
            compartment.syscallFilter = filter
            compartment.backend = option(keys["backend"], example: "backend: process")
            compartment.gate = option(keys["gate"], example: "gate: private")
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

    /// `syscalls:`: absent, the baseline filter; a list (even empty), an allowlist; `unrestricted`, no filter.
    private mutating func syscallFilter(_ e: Entry?) -> ([Located<String>], SyscallFilter) {
        guard let e else { return ([], .baseline) }
        if case .scalar(let s) = e.value, !isNull(e.value) {
            if s.string == "unrestricted" { return ([], .unrestricted) }
            sink.error("expected a list of system call names for 'syscalls', like [read, write], or 'unrestricted' "
                       + "(no filter at all); found \(describe(e.value))", at: e.valueLocation)
            return ([], .baseline)
        }
        let names = known(strings(e, example: "[read, write]"), among: Self.syscalls, what: "syscall",
                          otherwise: "; write a Linux x86_64 system call name, like 'read'")
        return (names, .allowlist)
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
                // `...N`: an argument passed through '...' (checked against the function by the analysis)
                if !arg.key.hasPrefix("...") { checkIdentifier(parameter, what: "parameter") }
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
}
