import BulkheadConfig
import BulkheadModel

/// Whole-program analysis: from the facts of every translation unit and the annotation file, decides the
/// gates, trampolines, shared globals and shared-stack locals, and the text edits that put them in place.
public struct Analyzer {
    public let config: Config
    public let layout: ProgramLayout
    public let units: [TranslationUnitFacts]

    public init(config: Config, layout: ProgramLayout, units: [TranslationUnitFacts]) {
        self.config = config
        self.layout = layout
        self.units = units.sorted { $0.file < $1.file }
    }

    struct Defined {
        var info: FunctionInfo
        var library: String
        var compartment: String
    }

    struct DefinedGlobal {
        var info: GlobalInfo
        var library: String
        var compartment: String
    }

    /// What a rewritten name becomes, and the declaration that must precede its uses.
    struct Rewrite: Hashable {
        var replacement: String
        var declaration: EditContent
    }

    /// A static function or global belongs to its translation unit: its key adds the unit to the USR (a
    /// header can define the same static in several units).
    static func unitKey(_ usr: String, _ unit: String) -> String { usr + "|" + unit }

    public static func gateStubName(_ function: String) -> String { "bh_gate_\(function)" }
    public static func trampolineName(_ function: String) -> String { "bh_cb_\(function)" }
    /// A variadic function's gate specialised to the promoted types of the `...` arguments of its calls:
    /// `bh_vgate_open_v` (none), `bh_vgate_setopt_vl` (a long), `bh_vgate_setopt_vpf` (a pointer, a function
    /// pointer). Its own prefix keeps it apart from every `bh_gate_` name, and the letters after the last `_v`
    /// (never an underscore among them) tell function and types apart.
    public static func variadicStubName(_ function: String, _ types: [PromotedType]) -> String {
        "bh_vgate_\(function)_v" + types.map(\.code).joined()
    }

    static func marshalling(_ gate: GateConfig?) -> [Plan.Marshal] {
        (gate?.arguments ?? []).map { a in
            Plan.Marshal(parameter: a.parameter.value, direction: a.marshalling.direction.rawValue,
                         size: a.marshalling.size?.value, count: a.marshalling.count?.value, isString: a.marshalling.isString)
        }
    }

    static func result(_ gate: GateConfig?) -> Plan.Marshal? {
        gate?.result.map { Plan.Marshal(parameter: nil, direction: "out", size: $0.size?.value, count: $0.count?.value, isString: $0.isString) }
    }

    public func plan() throws -> Plan {
        var sink = DiagnosticSink()
        var external: [String: Defined] = [:]     // by USR
        var statics: [String: Defined] = [:]      // by USR|TU
        var globals: [String: DefinedGlobal] = [:]
        for unit in units {
            guard let library = layout.libraryOfUnit[unit.file], let compartment = layout.compartmentOfLibrary[library] else { continue }
            for f in unit.functions {
                let d = Defined(info: f, library: library, compartment: compartment)
                if f.isStatic {
                    statics[Self.unitKey(f.usr, unit.file)] = d
                } else if let first = external[f.usr], first.info.translationUnit != f.translationUnit {
                    sink.error("function '\(f.name)' is defined in two translation units", at: layout.display(f.location))
                    sink.note("first definition is here", at: layout.display(first.info.location))
                } else {
                    external[f.usr] = d
                }
            }
            for g in unit.globals {
                // a static global belongs to its translation unit, even when a shared file defines it
                globals[g.isStatic ? Self.unitKey(g.usr, unit.file) : g.usr] = DefinedGlobal(info: g, library: library, compartment: compartment)
            }
        }
        let allFunctionNames = Set(external.values.map(\.info.name)).union(statics.values.map(\.info.name))
        validateConfigNames(&sink, external: external, statics: statics, globals: globals, names: allFunctionNames)
        validateBackends(&sink)

        var gateUses: [String: [Plan.Use]] = [:]    // by USR, or USR|stub for a gate specialised to '...' types
        var forwarded: [String: [PromotedType]] = [:] // by stub
        var callbackRefs: [String: (Defined, [Plan.Reference])] = [:]
        var stackLocals: Set<Plan.StackLocal> = []
        var rewrites: [TextSpan: Rewrite] = [:]
        var declarations: Set<Edit> = []
        let sharedCallbacks = Set(config.shared.callbacks.map(\.value))

        func rewrite(_ use: FunctionUse, as r: Rewrite) {
            for span in use.spans {
                if let old = rewrites[span], old != r, let macro = use.macroName, forwarded[old.replacement] != nil {
                    sink.error("calls of variadic '\(use.targetName)' written in macro '\(macro)' pass different types through '...' ('\(old.replacement)' and '\(r.replacement)'), and each needs a gate of its own; write one of the calls outside the macro, or name a va_list sibling with `variadic_via`",
                               at: layout.display(use.location))
                } else if let old = rewrites[span], old != r {
                    sink.error("'\(use.targetName)' here would need two different rewrites ('\(old.replacement)' and '\(r.replacement)'); move the macro or inline function that spells it into one compartment",
                               at: layout.display(use.location))
                }
                rewrites[span] = r
            }
            declarations.insert(Edit(span: use.declarationPoint, r.declaration))
        }

        for unit in units {
            guard let compartment = layout.compartment(ofUnit: unit.file) else { continue }
            for use in unit.uses {
                if let target = external[use.targetUSR], target.compartment != compartment {
                    let gate = config.gate(named: target.info.name)
                    var stub = Self.gateStubName(target.info.name), key = target.info.usr
                    var passed: [PromotedType]?
                    if target.info.isVariadic, gate?.variadicVia == nil {
                        // every call knows the types it passes through '...': a gate specialised to them
                        guard use.isCall, let extras = use.variadicArguments else {
                            sink.error("the address of variadic function '\(use.targetName)' crosses from compartment '\(compartment)' into '\(target.compartment)'; a gate forwards '...' arguments only for a call, whose argument types it knows: call it directly, or name its va_list sibling with `gates: { \(use.targetName): { variadic_via: FUNC } }`",
                                       at: layout.display(use.location))
                            continue
                        }
                        if let bad = extras.firstIndex(where: { $0.promoted == nil }) {
                            sink.error("argument \(target.info.parameters.count + bad + 1) of this call to variadic function '\(use.targetName)' has type '\(extras[bad].type)', which a gate cannot forward through '...' (only integers, floating point and pointers); pass a pointer to it",
                                       at: layout.display(use.location))
                            continue
                        }
                        let types = extras.compactMap(\.promoted)
                        stub = Self.variadicStubName(target.info.name, types)
                        key = target.info.usr + "|" + stub
                        passed = types
                    }
                    // an RPC from another process into a compartment of the main process has a stub of its own
                    let plain = stub
                    stub = stubName(plain, from: compartment, into: target.compartment, anyCaller: !use.isCall)
                    if stub != plain { key = target.info.usr + "|" + stub }
                    if let passed { forwarded[stub] = passed }
                    let declaration = EditContent.stubDeclaration(storage: "extern", function: use.targetName, stub: stub, definesMacro: false)
                    if let reason = use.unrewritableReason {
                        // a name that a macro builds with ## (pcre2's `pcre2_compile` is `pcre2_compile_8`) in
                        // a function of the unit's own file: from there on the unit spells it as the gate, by a
                        // macro of that name (a pasted name is rescanned for macros)
                        guard use.spans.isEmpty, use.macroName != nil, use.declarationPoint.file == unit.file, forwarded[stub] == nil else {
                            sink.error("\(use.isCall ? "call to" : "reference to") '\(use.targetName)' crosses from compartment '\(compartment)' into '\(target.compartment)' but cannot be rewritten: \(reason); write the call outside the macro",
                                       at: layout.display(use.location))
                            continue
                        }
                        declarations.insert(Edit(span: use.declarationPoint, .stubDeclaration(storage: "extern", function: use.targetName, stub: stub, definesMacro: true)))
                    } else {
                        rewrite(use, as: Rewrite(replacement: stub, declaration: declaration))
                    }
                    gateUses[key, default: []].append(Plan.Use(
                        kind: use.isCall ? .call : .address, location: layout.display(use.location),
                        fromCompartment: compartment, fromLibrary: layout.libraryOfUnit[unit.file] ?? "",
                        fromFunction: use.enclosingFunction, macro: use.macroName))
                    for local in use.localAddresses where local.parameter == nil && !local.throughPointer {
                        stackLocals.insert(Plan.StackLocal(name: local.name, function: use.enclosingFunction,
                                                           location: layout.display(local.location), gate: target.info.name,
                                                           isArray: local.isArray))
                    }
                    continue
                }
                guard !use.isCall else { continue }
                let key = external[use.targetUSR] != nil ? use.targetUSR : Self.unitKey(use.targetUSR, unit.file)
                guard let target = external[use.targetUSR] ?? statics[key] else { continue }
                var reason: String?
                if let callee = use.argumentOf.flatMap({ external[$0] }), callee.compartment != compartment {
                    reason = "passed to '\(callee.info.name)' in compartment '\(callee.compartment)'"
                } else if let g = use.initializerOf.flatMap({ globals[Self.unitKey($0, unit.file)] ?? globals[$0] }), config.shared.globals.contains(where: { $0.value == g.info.name }) {
                    reason = "stored in shared global '\(g.info.name)'"
                } else if sharedCallbacks.contains(target.info.name) {
                    reason = "listed in shared.callbacks"
                }
                guard let reason else { continue }
                if let why = use.unrewritableReason {
                    sink.error("the address of '\(use.targetName)' leaves compartment '\(compartment)' (\(reason)) but cannot be rewritten: \(why)",
                               at: layout.display(use.location))
                    continue
                }
                let tramp = Self.trampolineName(target.info.name)
                let storage = target.info.isStatic ? "static" : "extern"
                rewrite(use, as: Rewrite(replacement: tramp, declaration: .stubDeclaration(storage: storage, function: use.targetName, stub: tramp, definesMacro: false)))
                callbackRefs[key, default: (target, [])].1.append(Plan.Reference(location: layout.display(use.location), reason: reason))
            }
        }
        // A name spelled in a shared macro body or header is rewritten for every expansion: each of them needs
        // the stub's declaration, in whichever compartment it is.
        for unit in units {
            for use in unit.uses {
                for span in use.spans {
                    if let r = rewrites[span] { declarations.insert(Edit(span: use.declarationPoint, r.declaration)) }
                }
            }
        }

        let sharedGlobals = planSharedGlobals(&sink, globals: globals, declarations: &declarations)
        try sink.check()

        var gates: [Plan.Gate] = []
        for (key, uses) in gateUses {
            let usr = String(key.split(separator: "|", maxSplits: 1)[0])
            let d = external[usr]!
            let gc = config.gate(named: d.info.name)
            let stub = key.contains("|") ? String(key.split(separator: "|", maxSplits: 1)[1]) : Self.gateStubName(d.info.name)
            let types = forwarded[stub]
            let extras = (types ?? []).enumerated().map { Parameter(name: "...\($0.offset + 1)", type: $0.element.cType) }
            gates.append(Plan.Gate(
                name: d.info.name, stub: stub, compartment: d.compartment,
                backend: stub.hasPrefix("bh_rpc_") ? .process : backend(of: d.compartment), library: d.library,
                location: layout.display(d.info.location), resultType: d.info.resultType, parameters: d.info.parameters + extras,
                isVariadic: d.info.isVariadic, variadicVia: gc?.variadicVia?.value, errorReturn: gc?.errorReturn?.value,
                uses: Array(Set(uses)).sorted(),
                definingUnit: d.info.translationUnit))
            gates[gates.count - 1].forwarded = types
            // `...N` is marshalled by the gates whose Nth '...' argument is a pointer
            gates[gates.count - 1].marshalling = Self.marshalling(gc).filter { m in
                guard let n = m.parameter.flatMap(Self.variadicPosition) else { return true }
                return n <= (types ?? []).count && types?[n - 1] == .pointer
            }
            gates[gates.count - 1].result = Self.result(gc)
        }
        for gc in config.gates {
            let most = gates.filter { $0.name == gc.function.value }.compactMap { $0.forwarded?.count }.max()
            for arg in gc.arguments {
                guard let n = Self.variadicPosition(arg.parameter.value), let most, n > most else { continue }
                sink.error("'\(arg.parameter.value)': no call of '\(gc.function.value)' from another compartment passes \(n) argument(s) through '...' (at most \(most))",
                           at: arg.parameter.location)
            }
        }
        gates.sort { ($0.name, $0.location, $0.stub) < ($1.name, $1.location, $1.stub) }
        var callbacks: [Plan.Callback] = []
        for (_, (d, refs)) in callbackRefs {
            callbacks.append(Plan.Callback(
                name: d.info.name, trampoline: Self.trampolineName(d.info.name), compartment: d.compartment,
                backend: mechanism(from: d.compartment, into: d.compartment, anyCaller: true), library: d.library,
                location: layout.display(d.info.location), isStatic: d.info.isStatic, resultType: d.info.resultType,
                parameters: d.info.parameters, references: Array(Set(refs)).sorted { ($0.location, $0.reason) < ($1.location, $1.reason) },
                definingUnit: d.info.translationUnit))
            let gc = config.gate(named: d.info.name)
            callbacks[callbacks.count - 1].errorReturn = gc?.errorReturn?.value
            callbacks[callbacks.count - 1].marshalling = Self.marshalling(gc)
            callbacks[callbacks.count - 1].result = Self.result(gc)
        }
        callbacks.sort { ($0.name, $0.location, $0.library, $0.definingUnit) < ($1.name, $1.location, $1.library, $1.definingUnit) }

        var plan = Plan(
            program: config.program.value, backend: config.backend.value,
            compartments: planCompartments(), libraries: planLibraries(), gates: gates, callbacks: callbacks,
            sharedGlobals: sharedGlobals, sharedStackLocals: stackLocals.sorted())
        plan.sharedHeap = config.shared.heap.map(\.value)
        moveLocalsToSharedStack(&plan, edits: &declarations, &sink)
        plan.edits = (rewrites.map { Edit(span: $0.key, .name($0.value.replacement)) } + declarations)
            .sorted { ($0.span, $0.rank, "\($0.content)") < ($1.span, $1.rank, "\($1.content)") }
        checkForProcessBackend(plan, &sink)
        try sink.check()
        plan.warnings = sink.diagnostics.filter { $0.severity != .error }
        return plan
    }
}
