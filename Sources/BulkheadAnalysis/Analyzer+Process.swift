import BulkheadConfig
import BulkheadModel

extension Analyzer {
    /// A way into a compartment, as the process checks see it: a gate or a callback's trampoline.
    private struct Entry {
        var name: String
        var compartment: String
        var resultType: String
        var errorReturn: String?
        var parameters: [Parameter]
        var marshalling: [Plan.Marshal]
        var site: SourceLocation
        var isVariadic: Bool
        /// The mechanism of the crossing.
        var backend: BackendKind
        /// Every library that may call it allocates from the shared heap: its pointers are most likely shared.
        var callersShareTheirHeap: Bool
    }

    /// What the backends that restart compartments or marshal pointers need (BackendTraits): an error value
    /// for every entry of a restartable compartment, and a warning for each pointer that crosses unmarshalled
    /// (it must then point to shared memory) unless every library that calls the gate allocates from the
    /// shared heap.
    func checkForProcessBackend(_ plan: Plan, _ sink: inout DiagnosticSink) {
        let restartable = Set(plan.compartments.filter { $0.onFault == "restart" && $0.traits.restartsOnFault }.map(\.name))
        let sharedHeap = Set(plan.sharedHeap)
        let entries = plan.gates.map {
            Entry(name: $0.name, compartment: $0.compartment, resultType: $0.resultType, errorReturn: $0.errorReturn,
                  parameters: $0.parameters, marshalling: $0.marshalling, site: $0.uses.first?.location ?? $0.location,
                  isVariadic: $0.isVariadic && $0.forwarded == nil, backend: $0.backend,
                  callersShareTheirHeap: !$0.uses.isEmpty && $0.uses.allSatisfy { sharedHeap.contains($0.fromLibrary) })
        } + plan.callbacks.map { cb in
            // a function pointer may be called from any other compartment
            Entry(name: cb.name, compartment: cb.compartment, resultType: cb.resultType, errorReturn: cb.errorReturn,
                  parameters: cb.parameters, marshalling: cb.marshalling, site: cb.references.first?.location ?? cb.location,
                  isVariadic: false, backend: cb.backend,
                  callersShareTheirHeap: plan.libraries.allSatisfy { $0.compartment == cb.compartment || sharedHeap.contains($0.name) })
        }
        for e in entries {
            if restartable.contains(e.compartment), e.resultType != "void", e.errorReturn == nil {
                sink.error("gate '\(e.name)' enters compartment '\(e.compartment)', which restarts on a fault, but says nothing to return then; add `gates: { \(e.name): { error_return: EXPR } }`",
                           at: config.gate(named: e.name)?.function.location ?? e.site)
            }
            if e.callersShareTheirHeap || !e.backend.traits.marshalsPointers { continue }
            let marshalled = Set(e.marshalling.compactMap(\.parameter))
            let params = e.parameters
            let takesList = params.last.map { $0.type.contains("va_list") || $0.type.contains("__va_list_tag") } ?? false
            let format = (e.isVariadic || takesList) ? (takesList ? params.dropLast().last?.name : params.last?.name) : nil
            for p in params where (p.type.contains("*") || p.type.contains("[")) && !p.type.contains("(*)")
                && !marshalled.contains(p.name) && p.name != format && !p.type.contains("va_list") && !p.isStdioStream {
                sink.warning("gate '\(e.name)': pointer parameter '\(p.name)' (\(p.type)) crosses into compartment '\(e.compartment)' unmarshalled, so it must point to shared memory; to copy what it points to, add `gates: { \(e.name): { args: { \(p.name): { dir: in|out|inout, size: EXPR } } } }`",
                             at: e.site)
            }
        }
    }
}

extension Analyzer {
    /// A local whose address is passed through a gate whose parameter is not marshalled, into another address
    /// space or a compartment whose backend moves such locals (BackendTraits), moves to the thread's shared
    /// stack: its declaration is renamed, a pointer to a shared copy follows it (released at the end of its
    /// scope), and every use goes through that pointer.
    func moveLocalsToSharedStack(_ plan: inout Plan, edits: inout Set<Edit>, _ sink: inout DiagnosticSink) {
        guard plan.compartments.contains(where: { $0.traits.ownAddressSpace || $0.traits.movesCrossingLocals }) else { return }
        let gates = Dictionary(uniqueKeysWithValues: plan.gates.map { ($0.stub, $0) })
        let escaping = escapingParameters(gates)
        var moved: Set<String> = []
        var helpersAt: [String: TextSpan] = [:]
        var listed = Set(plan.sharedStackLocals)
        for unit in units {
            guard let compartment = layout.compartment(ofUnit: unit.file) else { continue }
            // Why each local moves: its address goes through a function pointer (which may be a trampoline),
            // to a gate whose parameter is not marshalled, or to a parameter that passes it on to either
            var work: [(usr: String, at: SourceLocation, via: String)] = []
            // a local pointer passed on (`q`, `&q->f`) takes what its initializer points to (`T *q = &x`)
            func add(_ local: LocalAddress, _ usr: String, _ via: String) {
                if local.throughPointer {
                    for held in unit.initializerLocals[usr] ?? [] { work.append((held, local.location, "'\(local.name)', passed to \(via)")) }
                } else {
                    work.append((usr, local.location, via))
                }
            }
            for local in unit.indirectCallLocals { if let usr = local.usr { add(local, usr, "a function pointer") } }
            for local in unit.storedLocals { if let usr = local.usr { work.append((usr, local.location, "a store to memory")) } }
            for use in unit.uses where use.isCall {
                for local in use.localAddresses {
                    guard let usr = local.usr else { continue }
                    switch destination(of: local.argument, in: use, unit: unit.file, from: compartment, gates) {
                    case .unmarshalledGate(let gate): add(local, usr, gate)
                    case .parameter(let p) where escaping.contains(p): add(local, usr, use.targetName)
                    default: break
                    }
                }
            }
            while let (usr, at, via) = work.popLast() {
                guard let v = unit.locals[usr] else { continue }
                if let why = v.unrewritableReason {
                    sink.warning("the address of local '\(v.name)' is passed to \(via) but it cannot move to the shared stack: \(why); marshal the argument instead (`gates: { FUNC: { args: { PARAM: { dir: inout, size: EXPR } } } }`)",
                                 at: layout.display(at))
                    continue
                }
                guard moved.insert(Self.unitKey(usr, unit.file)).inserted else { continue }
                // what its initializer points to must be as reachable as it is (`struct r r = { &buf }`)
                for held in unit.initializerLocals[usr] ?? [] { work.append((held, at, "'\(v.name)'s initializer")) }
                let name = v.name
                edits.insert(Edit(span: v.declaration, .sharedStackRename(local: name)))
                if let loop = v.loop {
                    edits.insert(Edit(span: loop.start, .sharedStackLoopStart(local: name)))
                    edits.insert(Edit(span: v.afterStatement, .sharedStackLoopCopy(local: name, comma: !loop.emptyCondition)))
                    edits.insert(Edit(span: loop.end, .sharedStackLoopEnd(local: name)))
                    for r in v.references { edits.insert(Edit(span: r, .sharedStackLoopUse(local: name))) }
                } else {
                    edits.insert(Edit(span: v.afterStatement, .sharedStackPointer(local: name)))
                    for r in v.references { edits.insert(Edit(span: r, .sharedStackUse(local: name))) }
                }
                if let old = helpersAt[v.declarationPoint.file], old.offset <= v.declarationPoint.offset {} else {
                    helpersAt[v.declarationPoint.file] = v.declarationPoint
                }
                let site = layout.display(at)
                if let i = plan.sharedStackLocals.firstIndex(where: { $0.name == v.name && $0.location == site }) {
                    plan.sharedStackLocals[i].onSharedStack = true
                } else {
                    var entry = Plan.StackLocal(name: v.name, function: nil, location: site, gate: via, isArray: false)
                    entry.onSharedStack = true
                    if listed.insert(entry).inserted { plan.sharedStackLocals.append(entry) }
                }
            }
        }
        plan.sharedStackLocals.sort()
        for (_, point) in helpersAt {
            edits.insert(Edit(span: point, .sharedStackHelpers))
        }
    }
}

/// A parameter of a function, by the function's USR and the parameter's index. A function of internal
/// linkage is one per translation unit: a `static inline` function of a header has one USR, but its copy
/// in a unit of another compartment may pass its parameter on where the others do not.
struct ParameterKey: Hashable {
    var function: String
    var index: Int
    init(_ usr: String, _ index: Int, in unit: String) {
        function = usr.hasPrefix("c:@F@") ? usr : Analyzer.unitKey(usr, unit)
        self.index = index
    }
}

extension Analyzer {
    /// The pointer parameters whose value a function passes on to another compartment, so that the address
    /// of a local given to them must be shared: passed to a gate that does not marshal it, through a function
    /// pointer, or to such a parameter of another function (to a fixed point).
    func escapingParameters(_ gates: [String: Plan.Gate]) -> Set<ParameterKey> {
        var escaping: Set<ParameterKey> = []
        var passedTo: [ParameterKey: [ParameterKey]] = [:]   // callee's parameter -> callers' parameters
        for unit in units {
            let compartment = layout.compartment(ofUnit: unit.file)
            for a in unit.indirectCallLocals {
                if let p = a.parameter, let f = a.function { escaping.insert(ParameterKey(f, p, in: unit.file)) }
            }
            for use in unit.uses where use.isCall {
                for a in use.localAddresses {
                    guard let p = a.parameter, let f = a.function else { continue }
                    let caller = ParameterKey(f, p, in: unit.file)
                    switch destination(of: a.argument, in: use, unit: unit.file, from: compartment, gates) {
                    case .unmarshalledGate: escaping.insert(caller)
                    case .parameter(let callee): passedTo[callee, default: []].append(caller)
                    case .marshalledGate: break
                    }
                }
            }
        }
        var work = Array(escaping)
        while let p = work.popLast() {
            for caller in passedTo[p] ?? [] where escaping.insert(caller).inserted { work.append(caller) }
        }
        return escaping
    }
}

/// Where an argument of a direct call goes.
enum ArgumentDestination {
    /// into another compartment through a gate that does not copy what it points to (named)
    case unmarshalledGate(String)
    /// into another compartment through a gate that copies it, or into one that reads the caller's stack
    /// (the same address space, a backend that leaves locals where they are)
    case marshalledGate
    /// to a parameter of a function of the same compartment
    case parameter(ParameterKey)
}

extension Analyzer {
    func destination(of argument: Int, in use: FunctionUse, unit: String, from compartment: String?,
                     _ gates: [String: Plan.Gate]) -> ArgumentDestination {
        // a variadic call goes through the gate specialised to what it passes through '...', if there is one
        let types = use.variadicArguments?.compactMap(\.promoted)
        // the gate of the mechanism from this compartment (an RPC's stub is another than a plain call's)
        func gate(_ plain: String) -> Plan.Gate? {
            guard let compartment, let g = gates[plain] ?? gates[Self.rpcStubName(plain)] else { return nil }
            return gates[stubName(plain, from: compartment, into: g.compartment, anyCaller: false)]
        }
        let specialised = types.flatMap { $0.count == use.variadicArguments?.count ? gate(Self.variadicStubName(use.targetName, $0)) : nil }
        guard let gate = specialised ?? gate(Self.gateStubName(use.targetName)), gate.compartment != compartment else {
            return .parameter(ParameterKey(use.targetUSR, argument, in: unit))
        }
        let marshalled = argument < gate.parameters.count
            && gate.marshalling.contains { $0.parameter == gate.parameters[argument].name }
        let readsCallersStack = compartment.map { sharesAddressSpace($0, gate.compartment) } ?? false
            && !gate.backend.traits.movesCrossingLocals
        return marshalled || readsCallersStack ? .marshalledGate : .unmarshalledGate(gate.name)
    }
}
