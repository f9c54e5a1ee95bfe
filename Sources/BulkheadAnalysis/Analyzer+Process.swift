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
