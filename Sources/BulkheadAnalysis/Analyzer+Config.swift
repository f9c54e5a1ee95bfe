import BulkheadConfig
import BulkheadModel

extension Analyzer {
    /// Names in the annotation file that only the program can confirm: gated functions, their parameters,
    /// va_list siblings, shared globals and callbacks.
    func validateConfigNames(_ sink: inout DiagnosticSink, external: [String: Defined], statics: [String: Defined],
                             globals: [String: DefinedGlobal], names: Set<String>) {
        let byName = Dictionary(grouping: Array(external.values) + Array(statics.values), by: { $0.info.name })
        let candidates = names.sorted()
        for gate in config.gates {
            let name = gate.function.value
            guard let defs = byName[name], let def = defs.first else {
                sink.error("gates: no function named '\(name)' is defined in the program\(Spelling.didYouMean(name, among: candidates))",
                           at: gate.function.location)
                continue
            }
            let params = def.info.parameters.map(\.name).filter { !$0.isEmpty }
            for arg in gate.arguments where arg.parameter.value.hasPrefix("...") {
                validateVariadicArgument(&sink, arg, gate: gate, function: def.info)
            }
            for arg in gate.arguments where !params.contains(arg.parameter.value) && !arg.parameter.value.hasPrefix("...") {
                let list = params.isEmpty ? "it has no named parameters" : "its parameters are \(params.map { "'\($0)'" }.joined(separator: ", "))"
                sink.error("function '\(name)' has no parameter '\(arg.parameter.value)'\(Spelling.didYouMean(arg.parameter.value, among: params).isEmpty ? "; \(list)" : Spelling.didYouMean(arg.parameter.value, among: params))",
                           at: arg.parameter.location)
            }
            if let via = gate.variadicVia {
                if !def.info.isVariadic {
                    sink.error("variadic_via is only for variadic functions, and '\(name)' is not variadic; remove it",
                               at: via.location)
                } else if let v = byName[via.value]?.first {
                    let last = v.info.parameters.last?.type ?? ""
                    if !last.contains("va_list") && !last.contains("__va_list_tag") {
                        sink.error("variadic_via: '\(via.value)' must take a va_list as its last parameter (its last is '\(last)')",
                                   at: via.location)
                    } else if v.compartment != def.compartment {
                        sink.error("variadic_via: '\(via.value)' is in compartment '\(v.compartment)' but '\(name)' is in '\(def.compartment)'; both must be in one compartment",
                                   at: via.location)
                    }
                } else {
                    sink.error("variadic_via: no function named '\(via.value)' is defined in the program\(Spelling.didYouMean(via.value, among: candidates))",
                               at: via.location)
                }
            }
        }
        let globalNames = Set(globals.values.map(\.info.name)).sorted()
        for g in config.shared.globals where !globalNames.contains(g.value) {
            sink.error("shared.globals: no global variable named '\(g.value)' is defined in the program\(Spelling.didYouMean(g.value, among: globalNames))",
                       at: g.location)
        }
        for f in config.shared.callbacks where byName[f.value] == nil {
            sink.error("shared.callbacks: no function named '\(f.value)' is defined in the program\(Spelling.didYouMean(f.value, among: candidates))",
                       at: f.location)
        }
    }

    /// `...N` under `args:`: the Nth argument passed through a variadic function's `...` (counting from 1), at
    /// every call that passes a pointer there.
    func validateVariadicArgument(_ sink: inout DiagnosticSink, _ arg: ArgumentConfig, gate: GateConfig, function: FunctionInfo) {
        let key = arg.parameter.value, name = function.name
        guard Self.variadicPosition(key) != nil else {
            sink.error("'\(key)' does not name an argument: an argument passed through '...' is named '...N', N counting from 1 ('...1' is the first after the named parameters)",
                       at: arg.parameter.location)
            return
        }
        if !function.isVariadic {
            sink.error("'\(key)' names an argument passed through '...', but '\(name)' is not variadic", at: arg.parameter.location)
        } else if let via = gate.variadicVia {
            sink.error("'\(key)': with variadic_via ('\(via.value)') the '...' arguments travel as formatted text; a gate specialised to each call (without variadic_via) marshals them",
                       at: arg.parameter.location)
        } else if let count = arg.marshalling.count {
            sink.error("'\(key)': `count` needs an element type, which an argument passed through '...' does not have (it travels as a pointer to void); give its bytes with `size`",
                       at: count.location)
        }
    }

    /// N of `...N`; nil when it is not of that shape.
    static func variadicPosition(_ key: String) -> Int? {
        guard key.hasPrefix("..."), let n = Int(key.dropFirst(3)), n >= 1, String(n) == key.dropFirst(3) else { return nil }
        return n
    }

    /// Globals used across compartments: an error unless listed in shared.globals; listed ones go to the
    /// shared section (a section attribute at their definition).
    func planSharedGlobals(_ sink: inout DiagnosticSink, globals: [String: DefinedGlobal],
                           declarations: inout Set<Edit>) -> [Plan.SharedGlobal] {
        let sharedNames = Set(config.shared.globals.map(\.value))
        var uses: [String: [SourceLocation]] = [:]
        var reported: Set<String> = []
        for unit in units {
            guard let compartment = layout.compartment(ofUnit: unit.file) else { continue }
            for use in unit.globalUses {
                guard let g = globals[Self.unitKey(use.usr, unit.file)] ?? globals[use.usr], g.compartment != compartment else { continue }
                if sharedNames.contains(g.info.name) {
                    uses[g.info.usr, default: []].append(layout.display(use.location))
                } else if reported.insert(Self.unitKey(g.info.usr, compartment)).inserted {
                    sink.error("global '\(g.info.name)' of library '\(g.library)' (compartment '\(g.compartment)') is used from compartment '\(compartment)'; add it to shared.globals to share it",
                               at: layout.display(use.location))
                    sink.note("'\(g.info.name)' is defined here", at: layout.display(g.info.location))
                }
            }
        }
        var result: [Plan.SharedGlobal] = []
        for g in globals.values where sharedNames.contains(g.info.name) {
            // one section per global: gcc refuses to mix const and writable (or relocated) objects in one
            // named section; the backends' linker scripts gather bh_shared.* into the shared region
            let section = "bh_shared.\(g.info.name)"
            declarations.insert(Edit(span: g.info.declarationStart, .sharedSection(section), rank: 1))
            result.append(Plan.SharedGlobal(
                name: g.info.name, library: g.library, compartment: g.compartment, location: layout.display(g.info.location),
                section: section, uses: Array(Set(uses[g.info.usr] ?? [])).sorted()))
        }
        return result.sorted { ($0.name, $0.location) < ($1.name, $1.location) }
    }

    /// A compartment's own `backend:` against the settings that need a process of its own: a compartment of the
    /// main process cannot be restarted, filtered or kept from reading the others' read-only data.
    func validateBackends(_ sink: inout DiagnosticSink) {
        for c in config.compartments {
            guard let b = c.backend else { continue }
            let name = c.name.value, kind = b.value.rawValue
            if c.onFault == .restart, !b.value.traits.restartsOnFault {
                sink.error("compartment '\(name)' has backend '\(kind)', which cannot restart it after a fault (it runs in the main process), so 'on_fault: restart' cannot hold; use 'backend: process' or 'on_fault: abort'",
                           at: b.location)
            }
            if c.syscallFilter != .baseline, !b.value.traits.ownAddressSpace {
                sink.error("compartment '\(name)' has backend '\(kind)', which runs it in the main process, where no system call filter of its own can apply, so its 'syscalls:' cannot hold; use 'backend: process' or remove 'syscalls:'",
                           at: c.syscalls.first?.location ?? b.location)
            }
            if c.privateRodata, !b.value.traits.ownAddressSpace {
                sink.error("compartment '\(name)' has backend '\(kind)', which runs it in the main process, so 'private_rodata: true' cannot hold (the main process reads its read-only data); use 'backend: process'",
                           at: b.location)
            }
        }
    }

    /// The backend of a compartment: its own `backend:`, else the annotation file's.
    func backend(of compartment: String) -> BackendKind { config.backend(ofCompartment: compartment) }

    /// The process a compartment runs in (nil: the main process).
    func process(of compartment: String) -> String? {
        BackendKind.process(of: compartment, backend(of: compartment),
                            isDefault: config.compartments.first { $0.name.value == compartment }?.isDefault ?? false)
    }

    /// Whether two compartments run in one address space (one process).
    func sharesAddressSpace(_ a: String, _ b: String) -> Bool { process(of: a) == process(of: b) }

    /// The mechanism of a crossing into `callee`: its backend when every caller runs in its process (`caller`,
    /// or with `anyCaller`, every compartment: an address, which may be called from anywhere), else a call
    /// between processes, an RPC (process). A gate into a compartment of the main process that a compartment
    /// of another process calls is an RPC back into the main process.
    func mechanism(from caller: String, into callee: String, anyCaller: Bool) -> BackendKind {
        let callers = anyCaller ? config.compartments.map(\.name.value) : [caller]
        return callers.allSatisfy { sharesAddressSpace($0, callee) } ? backend(of: callee) : .betweenProcesses
    }

    /// The stub of a crossing: `plain` when its mechanism is the callee's backend, else `bh_rpc_` and the rest
    /// of `plain` (`bh_rpc_gate_f`, `bh_rpc_vgate_f_vl`: a function called by compartments of two processes
    /// has a gate for each mechanism).
    func stubName(_ plain: String, from caller: String, into callee: String, anyCaller: Bool) -> String {
        mechanism(from: caller, into: callee, anyCaller: anyCaller) == backend(of: callee) ? plain : Self.rpcStubName(plain)
    }

    static func rpcStubName(_ plain: String) -> String { "bh_rpc_" + plain.dropFirst("bh_".count) }

    func planCompartments() -> [Plan.Compartment] {
        config.compartments.map { c in
            let libs = config.libraries.map(\.name.value).filter { config.compartment(ofLibrary: $0).name.value == c.name.value }
            var p = Plan.Compartment(name: c.name.value, backend: backend(of: c.name.value), isDefault: c.isDefault, libraries: libs,
                                     hardening: c.hardening.map(\.rawValue), syscalls: c.syscalls.map(\.value),
                                     syscallFilter: c.syscallFilter == .baseline ? nil : c.syscallFilter.rawValue,
                                     onFault: c.onFault.rawValue, privateRodata: c.privateRodata ? true : nil)
            p.ownBackend = p.backend != config.backend.value
            p.privateStack = c.gate?.value == .private
            return p
        }
    }

    func planLibraries() -> [Plan.Library] {
        config.libraries.map { lib in
            let units = layout.libraryOfUnit.filter { $0.value == lib.name.value }.map { layout.display($0.key) }.sorted()
            return Plan.Library(name: lib.name.value, compartment: config.compartment(ofLibrary: lib.name.value).name.value,
                                sources: units)
        }
    }
}
