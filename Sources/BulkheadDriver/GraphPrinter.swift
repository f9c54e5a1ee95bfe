import BulkheadAnalysis
import BulkheadModel

/// The plan as Graphviz DOT: one cluster per compartment holding its libraries; an edge per gate from each
/// calling library, labelled with the function and its number of call sites; trampolines dashed.
public enum GraphPrinter {
    public static func dot(_ plan: Plan) -> String {
        var out = "digraph \(quote(plan.program)) {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n"
        out += "  label=\(quote("\(plan.program): backend \(plan.backend.rawValue)"));\n"
        for c in plan.compartments {
            out += "  subgraph \(quote("cluster_" + c.name)) {\n"
            var label = "compartment \(c.name)\(c.isDefault ? " (default)" : "")"
            if !c.hardening.isEmpty { label += "\\nhardening: " + c.hardening.joined(separator: ", ") }
            out += "    label=\(quote(label));\n"
            for lib in c.libraries {
                let n = plan.libraries.first { $0.name == lib }?.sources.count ?? 0
                out += "    \(quote("lib:" + lib)) [label=\(quote("\(lib)\\n\(n) file\(n == 1 ? "" : "s")"))];\n"
            }
            out += "  }\n"
        }
        for gate in plan.gates {
            let byLibrary = Dictionary(grouping: gate.uses, by: \.fromLibrary)
            for from in byLibrary.keys.sorted() {
                let n = byLibrary[from]!.count
                // a variadic function's gate specialised to what its calls pass through '...' says so
                let name = gate.forwarded.map { "\(gate.name)(..., \($0.map(\.cType).joined(separator: ", ")))" } ?? gate.name
                out += "  \(quote("lib:" + from)) -> \(quote("lib:" + gate.library)) [label=\(quote("\(name) (\(n))"))];\n"
            }
        }
        for cb in plan.callbacks {
            out += "  \(quote("cb:" + cb.name + "@" + cb.library)) [label=\(quote("\(cb.trampoline)\\n\(cb.references.count) reference(s)")), shape=ellipse, style=dashed];\n"
            out += "  \(quote("cb:" + cb.name + "@" + cb.library)) -> \(quote("lib:" + cb.library)) [style=dashed, label=\(quote(cb.name))];\n"
        }
        for g in plan.sharedGlobals {
            out += "  \(quote("global:" + g.name)) [label=\(quote("shared \(g.name)\\n\(g.uses.count) foreign use(s)")), shape=note];\n"
            out += "  \(quote("global:" + g.name)) -> \(quote("lib:" + g.library)) [style=dotted];\n"
        }
        return out + "}\n"
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
