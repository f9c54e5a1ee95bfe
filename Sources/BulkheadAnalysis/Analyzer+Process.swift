import BulkheadConfig
import BulkheadModel

extension Analyzer {
    /// What only the process backend needs: an error value for every entry of a restartable compartment, and a
    /// warning for each pointer that crosses unmarshalled (it must then point to shared memory).
    func checkForProcessBackend(_ plan: Plan, _ sink: inout DiagnosticSink) {
        guard config.backend.value == .process else { return }
        let restartable = Set(plan.compartments.filter { $0.onFault == "restart" }.map(\.name))
        let entries = plan.gates.map { ($0.name, $0.compartment, $0.resultType, $0.errorReturn, $0.parameters, $0.marshalling, $0.uses.first?.location ?? $0.location, $0.isVariadic) }
            + plan.callbacks.map { ($0.name, $0.compartment, $0.resultType, $0.errorReturn, $0.parameters, $0.marshalling, $0.references.first?.location ?? $0.location, false) }
        for (name, compartment, result, errorReturn, params, marshalling, site, variadic) in entries {
            if restartable.contains(compartment), result != "void", errorReturn == nil {
                sink.error("gate '\(name)' enters compartment '\(compartment)', which restarts on a fault, but says nothing to return then; add `gates: { \(name): { error_return: EXPR } }`",
                           at: config.gate(named: name)?.function.location ?? site)
            }
            let marshalled = Set(marshalling.compactMap(\.parameter))
            let takesList = params.last.map { $0.type.contains("va_list") || $0.type.contains("__va_list_tag") } ?? false
            let format = (variadic || takesList) ? (takesList ? params.dropLast().last?.name : params.last?.name) : nil
            for p in params where (p.type.contains("*") || p.type.contains("[")) && !p.type.contains("(*)")
                && !marshalled.contains(p.name) && p.name != format && !p.type.contains("va_list") {
                sink.warning("gate '\(name)': pointer parameter '\(p.name)' (\(p.type)) crosses into compartment '\(compartment)' unmarshalled, so it must point to shared memory; to copy what it points to, add `gates: { \(name): { args: { \(p.name): { dir: in|out|inout, size: EXPR } } } }`",
                             at: site)
            }
        }
    }
}

extension Analyzer {
    /// Under the process backend, a local whose address is passed through a gate whose parameter is not
    /// marshalled moves to the thread's shared stack: its declaration is renamed, a pointer to a shared copy
    /// follows it (released at the end of its scope), and every use goes through that pointer.
    func moveLocalsToSharedStack(_ plan: inout Plan, edits: inout Set<Edit>, _ sink: inout DiagnosticSink) {
        guard config.backend.value == .process else { return }
        let gates = Dictionary(uniqueKeysWithValues: plan.gates.map { ($0.name, $0) })
        var moved: Set<String> = []
        var helpersAt: [String: TextSpan] = [:]
        for unit in units {
            guard let compartment = layout.compartment(ofUnit: unit.file) else { continue }
            // direct calls of gates whose parameter is not marshalled, and calls through function pointers
            // (which may be trampolines)
            var candidates: [(local: LocalAddress, gate: String)] = unit.indirectCallLocals.map { ($0, "a function pointer") }
            for use in unit.uses where use.isCall {
                guard let gate = gates[use.targetName], gate.compartment != compartment else { continue }
                let marshalled = Set(gate.marshalling.compactMap(\.parameter))
                for local in use.localAddresses
                where local.argument >= gate.parameters.count || !marshalled.contains(gate.parameters[local.argument].name) {
                    candidates.append((local, gate.name))
                }
            }
            do {
                for (local, gateName) in candidates {
                    guard let usr = local.usr, let v = unit.locals[usr] else { continue }
                    if let why = v.unrewritableReason {
                        sink.warning("the address of local '\(v.name)' is passed to \(gateName) but it cannot move to the shared stack: \(why); marshal the argument instead (`gates: { FUNC: { args: { PARAM: { dir: inout, size: EXPR } } } }`)",
                                     at: layout.display(local.location))
                        continue
                    }
                    guard moved.insert(Self.unitKey(usr, unit.file)).inserted else { continue }
                    let priv = "bh_priv_\(v.name)", shared = "bh_ss_\(v.name)"
                    edits.insert(Edit(span: v.declaration, text: priv))
                    edits.insert(Edit(span: v.afterStatement, text: " __attribute__((cleanup(bh_ss_release))) __typeof__(\(priv)) *\(shared) = (__typeof__(\(priv)) *)bh_ss_copy(&\(priv), sizeof \(priv), _Alignof(__typeof__(\(priv))));"))
                    for r in v.references { edits.insert(Edit(span: r, text: "(*\(shared))")) }
                    if let old = helpersAt[v.declarationPoint.file], old.offset <= v.declarationPoint.offset {} else {
                        helpersAt[v.declarationPoint.file] = v.declarationPoint
                    }
                    for i in plan.sharedStackLocals.indices where plan.sharedStackLocals[i].name == v.name
                        && plan.sharedStackLocals[i].location == layout.display(local.location) {
                        plan.sharedStackLocals[i].onSharedStack = true
                    }
                }
            }
        }
        for (_, point) in helpersAt {
            edits.insert(Edit(span: point, text: """
                #ifndef BH_SHARED_STACK_HELPERS
                #define BH_SHARED_STACK_HELPERS
                void *bh_stack_alloc(__SIZE_TYPE__, __SIZE_TYPE__);
                void bh_stack_free(void *);
                static inline void *bh_ss_copy(const void *bh_p, __SIZE_TYPE__ bh_n, __SIZE_TYPE__ bh_a)
                {
                \tvoid *bh_c = bh_stack_alloc(bh_n, bh_a);
                \t__builtin_memcpy(bh_c, bh_p, bh_n);
                \treturn bh_c;
                }
                static inline void bh_ss_release(void *bh_pp)
                {
                \tbh_stack_free(*(void **)bh_pp);
                }
                #endif

                """))
        }
    }
}
