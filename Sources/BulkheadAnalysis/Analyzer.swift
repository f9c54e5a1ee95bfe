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
        var declaration: String
    }

    /// A static function or global belongs to its translation unit: its key adds the unit to the USR (a
    /// header can define the same static in several units).
    static func unitKey(_ usr: String, _ unit: String) -> String { usr + "|" + unit }

    public static func gateStubName(_ function: String) -> String { "bh_gate_\(function)" }
    public static func trampolineName(_ function: String) -> String { "bh_cb_\(function)" }

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

        var gateUses: [String: [Plan.Use]] = [:]
        var callbackRefs: [String: (Defined, [Plan.Reference])] = [:]
        var stackLocals: Set<Plan.StackLocal> = []
        var rewrites: [TextSpan: Rewrite] = [:]
        var declarations: Set<Edit> = []
        let sharedCallbacks = Set(config.shared.callbacks.map(\.value))

        func rewrite(_ use: FunctionUse, as r: Rewrite) {
            for span in use.spans {
                if let old = rewrites[span], old != r {
                    sink.error("'\(use.targetName)' here would need two different rewrites ('\(old.replacement)' and '\(r.replacement)'); move the macro or inline function that spells it into one compartment",
                               at: layout.display(use.location))
                }
                rewrites[span] = r
            }
            declarations.insert(Edit(span: use.declarationPoint, text: r.declaration + "\n"))
        }

        for unit in units {
            guard let compartment = layout.compartment(ofUnit: unit.file) else { continue }
            for use in unit.uses {
                if let target = external[use.targetUSR], target.compartment != compartment {
                    let gate = config.gate(named: target.info.name)
                    if target.info.isVariadic, gate?.variadicVia == nil {
                        sink.error("\(use.isCall ? "call to" : "reference to") variadic function '\(use.targetName)' crosses from compartment '\(compartment)' into '\(target.compartment)'; a gate cannot forward '...' arguments: name its va_list sibling with `gates: { \(use.targetName): { variadic_via: FUNC } }`",
                                   at: layout.display(use.location))
                        continue
                    }
                    let stub = Self.gateStubName(target.info.name)
                    let declaration = "extern __typeof__(\(use.targetName)) \(stub);"
                    if let reason = use.unrewritableReason {
                        // a name that a macro builds with ## (pcre2's `pcre2_compile` is `pcre2_compile_8`) in
                        // a function of the unit's own file: from there on the unit spells it as the gate, by a
                        // macro of that name (a pasted name is rescanned for macros)
                        guard use.spans.isEmpty, use.macroName != nil, use.declarationPoint.file == unit.file else {
                            sink.error("\(use.isCall ? "call to" : "reference to") '\(use.targetName)' crosses from compartment '\(compartment)' into '\(target.compartment)' but cannot be rewritten: \(reason); write the call outside the macro",
                                       at: layout.display(use.location))
                            continue
                        }
                        declarations.insert(Edit(span: use.declarationPoint, text: "\(declaration)\n#define \(use.targetName) \(stub)\n"))
                    } else {
                        rewrite(use, as: Rewrite(replacement: stub, declaration: declaration))
                    }
                    gateUses[target.info.usr, default: []].append(Plan.Use(
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
                rewrite(use, as: Rewrite(replacement: tramp, declaration: "\(storage) __typeof__(\(use.targetName)) \(tramp);"))
                callbackRefs[key, default: (target, [])].1.append(Plan.Reference(location: layout.display(use.location), reason: reason))
            }
        }
        // A name spelled in a shared macro body or header is rewritten for every expansion: each of them needs
        // the stub's declaration, in whichever compartment it is.
        for unit in units {
            for use in unit.uses {
                for span in use.spans {
                    if let r = rewrites[span] { declarations.insert(Edit(span: use.declarationPoint, text: r.declaration + "\n")) }
                }
            }
        }

        let sharedGlobals = planSharedGlobals(&sink, globals: globals, declarations: &declarations)
        try sink.check()

        var gates: [Plan.Gate] = []
        for (usr, uses) in gateUses {
            let d = external[usr]!
            let gc = config.gate(named: d.info.name)
            gates.append(Plan.Gate(
                name: d.info.name, stub: Self.gateStubName(d.info.name), compartment: d.compartment, library: d.library,
                location: layout.display(d.info.location), resultType: d.info.resultType, parameters: d.info.parameters,
                isVariadic: d.info.isVariadic, variadicVia: gc?.variadicVia?.value, errorReturn: gc?.errorReturn?.value,
                uses: Array(Set(uses)).sorted(),
                definingUnit: d.info.translationUnit))
            gates[gates.count - 1].marshalling = Self.marshalling(gc)
            gates[gates.count - 1].result = Self.result(gc)
        }
        gates.sort { ($0.name, $0.location) < ($1.name, $1.location) }
        var callbacks: [Plan.Callback] = []
        for (_, (d, refs)) in callbackRefs {
            callbacks.append(Plan.Callback(
                name: d.info.name, trampoline: Self.trampolineName(d.info.name), compartment: d.compartment, library: d.library,
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
            program: config.program.value, backend: config.backend.value.rawValue,
            compartments: planCompartments(), libraries: planLibraries(), gates: gates, callbacks: callbacks,
            sharedGlobals: sharedGlobals, sharedStackLocals: stackLocals.sorted())
        plan.sharedHeap = config.shared.heap.map(\.value)
        moveLocalsToSharedStack(&plan, edits: &declarations, &sink)
        plan.edits = (rewrites.map { Edit(span: $0.key, text: $0.value.replacement) } + declarations).sorted()
        checkForProcessBackend(plan, &sink)
        try sink.check()
        plan.warnings = sink.diagnostics.filter { $0.severity != .error }
        return plan
    }
}
