/// The safety order as Graphviz DOT: safer configurations higher up, an edge for each covering pair, each
/// configuration with its figure; starred ones bold and gold, pruned ones grey, failed ones dashed red,
/// measured ones over the budget pink.
public enum OrderGraph {
    public static func dot(_ report: ExploreReport, order: SafetyOrder) -> String {
        var out = "digraph explore {\n  rankdir=BT;\n  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [arrowhead=none, color=\"#888888\"];\n"
        out += "  label=\(quote("\(report.program): \(report.counts.configurations) configurations, \(report.counts.measured) measured, \(report.counts.pruned) pruned, \(report.counts.failed) failed; budget \(report.budget); * = maximal within budget"));\n  labelloc=t;\n"
        for i in order.bottomUp {
            let e = report.entries[i]
            var label = e.label.replacingOccurrences(of: " | ", with: "\n")
            var attrs: [String] = []
            switch e.status {
            case "measured":
                label += "\n" + (e.ratio.map { formatRatio($0) } ?? e.median.map { "\($0)" } ?? "")
                if e.starred {
                    label = "* " + label
                    attrs += ["fillcolor=\"#ffd54f\"", "penwidth=3"]
                } else if e.withinBudget != true {
                    attrs.append("fillcolor=\"#f8bbd0\"")
                }
            case "pruned":
                label += "\npruned"
                attrs += ["fillcolor=\"#eeeeee\"", "fontcolor=\"#9e9e9e\"", "color=\"#bdbdbd\""]
            default:
                label += "\nfailed"
                attrs += ["style=\"rounded,dashed\"", "color=red"]
            }
            out += "  \(quote(e.hash)) [label=\(quote(label))\(attrs.isEmpty ? "" : ", " + attrs.joined(separator: ", "))];\n"
        }
        for (lo, hi) in order.covers.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            out += "  \(quote(report.entries[lo].hash)) -> \(quote(report.entries[hi].hash));\n"
        }
        return out + "}\n"
    }

    static func formatRatio(_ r: Double) -> String {
        let hundredths = Int((r * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)x"
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
