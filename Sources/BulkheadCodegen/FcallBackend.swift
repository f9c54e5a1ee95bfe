import BulkheadAnalysis
import BulkheadModel

/// Plain calls: a stub is a direct call of the function. No isolation; the baseline for measurements.
public struct FcallBackend: Backend {
    public let name = "fcall"
    public init() {}

    public func code(appendedTo unit: String, plan: Plan) -> String {
        var out = ""
        for gate in plan.gates where gate.definingUnit == unit {
            out += StubText.header(kind: "gate", name: gate.name, result: gate.resultType, params: gate.parameters,
                                   variadic: gate.isVariadic, location: gate.location,
                                   detail: "entered from \(gate.uses.count) place(s) in other compartments")
            out += body(stub: gate.stub, storage: "", callee: gate.variadicVia ?? gate.name, result: gate.resultType,
                        params: gate.parameters, variadic: gate.isVariadic)
        }
        for cb in plan.callbacks where cb.definingUnit == unit {
            out += StubText.header(kind: "trampoline", name: cb.name, result: cb.resultType, params: cb.parameters,
                                   variadic: false, location: cb.location,
                                   detail: "its address leaves compartment '\(cb.compartment)' at \(cb.references.count) place(s)")
            out += body(stub: cb.trampoline, storage: cb.isStatic ? "static" : "", callee: cb.name, result: cb.resultType,
                        params: cb.parameters, variadic: false)
        }
        return StubText.wrap(out, backend: name)
    }

    /// A direct call; a variadic function goes through its va_list sibling.
    private func body(stub: String, storage: String, callee: String, result: String, params: [Parameter], variadic: Bool) -> String {
        let (typedef, head) = StubText.definitionHead(storage: storage, name: stub, result: result, params: params, variadic: variadic)
        var args = params.map(\.name)
        let isVoid = CDeclarator.isVoid(result)
        var lines: [String] = []
        if variadic, let last = params.last {
            lines.append("__builtin_va_list bh_ap;")
            lines.append("__builtin_va_start(bh_ap, \(last.name));")
            args.append("bh_ap")
            let call = "\(callee)(\(args.joined(separator: ", ")))"
            if isVoid {
                lines += ["\(call);", "__builtin_va_end(bh_ap);"]
            } else {
                lines += ["__typeof__(\(call)) bh_r = \(call);", "__builtin_va_end(bh_ap);", "return bh_r;"]
            }
        } else {
            let call = "\(callee)(\(args.joined(separator: ", ")))"
            lines.append(isVoid ? "\(call);" : "return \(call);")
        }
        return typedef + head + "\n{\n" + lines.map { "\t" + $0 + "\n" }.joined() + "}\n"
    }
}
