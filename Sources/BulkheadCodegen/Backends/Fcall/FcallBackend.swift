import BulkheadAnalysis
import BulkheadConfig
import BulkheadModel

/// Plain calls: a stub is a direct call of the function. No isolation; the baseline for measurements.
public struct FcallBackend: Backend {
    public let kind = BackendKind.fcall
    public init() {}

    public func code(appendedTo unit: String, plan: Plan) -> String {
        var out = ""
        for gate in plan.gates where gate.definingUnit == unit && gate.backend == kind {
            let fixed = gate.parameters.dropLast(gate.forwarded?.count ?? 0)
            out += StubText.header(kind: "gate", name: gate.name, result: gate.resultType, params: Array(fixed),
                                   variadic: gate.isVariadic, location: gate.location,
                                   detail: "entered from \(gate.uses.count) place(s) in other compartments" + StubText.forwardedDetail(gate.forwarded))
            out += body(stub: gate.stub, storage: "", function: gate.name, via: gate.variadicVia, result: gate.resultType,
                        params: gate.parameters, variadic: gate.isVariadic, forwarded: gate.forwarded?.count)
        }
        for cb in plan.callbacks where cb.definingUnit == unit && cb.backend == kind {
            out += StubText.header(kind: "trampoline", name: cb.name, result: cb.resultType, params: cb.parameters,
                                   variadic: false, location: cb.location,
                                   detail: "its address leaves compartment '\(cb.compartment)' at \(cb.references.count) place(s)")
            out += body(stub: cb.trampoline, storage: cb.isStatic ? "static" : "", function: cb.name, via: nil, result: cb.resultType,
                        params: cb.parameters, variadic: false)
        }
        return StubText.wrap(out, backend: name)
    }

    /// A direct call; a variadic function goes through its va_list sibling.
    private func body(stub: String, storage: String, function: String, via: String?, result: String, params: [Parameter],
                      variadic: Bool, forwarded: Int? = nil) -> String {
        let args = StubText.argumentNames(params)
        let (typedef, head) = StubText.definitionHead(storage: storage, name: stub, result: result,
                                                      params: Array(args.dropLast(forwarded ?? 0)), variadic: variadic)
        var lines = forwarded.map { StubText.forwardedArguments(args, forwarded: $0) } ?? []
        lines += StubText.directCall(function, variadicVia: via, params: args, result: result, variadic: variadic && forwarded == nil)
        if lines.last == "return;" { lines.removeLast() }
        return typedef + head + "\n{\n" + lines.map { "\t" + $0 + "\n" }.joined() + "}\n"
    }
}
