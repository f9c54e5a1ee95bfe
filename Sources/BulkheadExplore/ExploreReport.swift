import BulkheadConfig
import Foundation

/// What happened to one configuration.
public enum Outcome: Sendable, Equatable {
    /// Built and measured (`reused`: the result came from the cache).
    case measured(MetricSample, reused: Bool)
    case failed(String)
    /// Not measured: it lies above `by`, which missed the budget.
    case pruned(by: Int)
}

/// The result of an exploration, as data: every configuration with its status, the starred (maximal within the
/// budget) ones, and every measured violation of the monotonicity that pruning assumes.
public struct ExploreReport: Sendable {
    public struct Entry: Codable, Sendable {
        public var hash: String
        public var label: String
        public var configuration: Configuration
        public var yaml: String
        /// measured, pruned or failed
        public var status: String
        public var withinBudget: Bool?
        public var starred: Bool
        public var median: Double?
        public var min: Double?
        public var max: Double?
        public var runs: [Double]?
        public var ratio: Double?
        public var reused: Bool?
        public var reason: String?
        public var prunedBy: String?
        /// Hashes of the configurations directly above this one in the safety order.
        public var above: [String]
    }

    public struct Violation: Codable, Sendable {
        /// The less safe configuration, and the safer one that measured clearly better.
        public var lower: String
        public var upper: String
        public var lowerMedian: Double
        public var upperMedian: Double
    }

    public struct Counts: Codable, Sendable {
        public var configurations = 0, measured = 0, reused = 0, pruned = 0, failed = 0, withinBudget = 0, starred = 0
    }

    public var version = 1
    public var program: String
    public var metric: String
    public var better: String
    public var budget: String
    public var baseline: Entry
    public var entries: [Entry]
    public var violations: [Violation]
    public var counts: Counts
    public var wallSeconds: Double?

    public init(plan: ExplorePlan, outcomes: [Outcome], baseline: Outcome, judge: Judge, program: String,
                wallSeconds: Double?) {
        let space = plan.space, order = space.order
        func entry(_ item: ExploreItem, _ outcome: Outcome, above: [String]) -> Entry {
            var e = Entry(hash: item.hash, label: item.label, configuration: item.configuration, yaml: item.yaml,
                          status: "", withinBudget: nil, starred: false, above: above)
            switch outcome {
            case .measured(let m, let reused):
                e.status = "measured"
                (e.median, e.min, e.max, e.runs) = (m.median, m.minimum, m.maximum, m.values)
                e.ratio = judge.ratio(m)
                e.withinBudget = judge.withinBudget(m)
                e.reused = reused
            case .failed(let reason):
                e.status = "failed"
                e.reason = reason
            case .pruned(let by):
                e.status = "pruned"
                e.prunedBy = plan.items[by].hash
                e.reason = "above \(plan.items[by].label), which missed the budget"
            }
            return e
        }
        let coversAbove = Dictionary(grouping: order.covers, by: { $0.0 }).mapValues { $0.map { plan.items[$0.1].hash } }
        entries = plan.items.indices.map { entry(plan.items[$0], outcomes[$0], above: coversAbove[$0] ?? []) }
        self.baseline = entry(plan.baseline, baseline, above: [])

        // starred: within budget, and nothing strictly above is within budget too
        let within = entries.map { $0.withinBudget == true }
        for i in entries.indices where within[i] && !order.above[i].contains(where: { within[$0] }) {
            entries[i].starred = true
        }
        var violations: [Violation] = []
        for (lo, hi) in order.covers {
            guard case .measured(let a, _) = outcomes[lo], case .measured(let b, _) = outcomes[hi],
                  judge.clearlyBetter(b, than: a) else { continue }
            violations.append(Violation(lower: plan.items[lo].hash, upper: plan.items[hi].hash,
                                        lowerMedian: a.median, upperMedian: b.median))
        }
        self.violations = violations
        var counts = Counts(configurations: entries.count)
        for e in entries {
            switch e.status {
            case "measured": counts.measured += 1
            case "pruned": counts.pruned += 1
            default: counts.failed += 1
            }
            if e.reused == true { counts.reused += 1 }
            if e.withinBudget == true { counts.withinBudget += 1 }
            if e.starred { counts.starred += 1 }
        }
        self.counts = counts
        self.program = program
        switch space.spec.workload.metric {
        case .time: metric = "wall time (s)"
        case .cpu: metric = "CPU time (s)"
        case .output: metric = "output"
        }
        better = space.spec.workload.better.rawValue
        let b = space.spec.budget
        budget = b.kind == .ratio ? "at most \(b.value)x the baseline" : "\(b.kind.rawValue) \(b.value)"
        self.wallSeconds = wallSeconds
    }

    public var starred: [Entry] { entries.filter(\.starred) }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// A plain-text table, one row per configuration, bottom of the order first.
    public func table(order: SafetyOrder) -> String {
        var rows: [[String]] = [["", "hash", "configuration", "status", "median", "spread", "ratio", "note"]]
        for i in order.bottomUp {
            let e = entries[i]
            let spread = e.min.map { mn in e.max.map { String(format: "%.4g-%.4g", mn, $0) } ?? "" } ?? ""
            var note = e.status == "measured" ? (e.withinBudget == true ? "within budget" : "over budget")
                + (e.reused == true ? ", cached" : "") : e.reason ?? ""
            if note.count > 100 { note = String(note.prefix(97)) + "..." }
            rows.append([e.starred ? "*" : "", String(e.hash.prefix(12)), e.label, e.status,
                         e.median.map { String(format: "%.4g", $0) } ?? "-", spread,
                         e.ratio.map { String(format: "%.2fx", $0) } ?? "-", note])
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
        var out = rows.map { r in
            r.indices.map { c in c == r.count - 1 ? r[c] : r[c].padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
        let c = counts
        out += "\(c.configurations) configurations: \(c.measured) measured (\(c.reused) from the cache), \(c.pruned) pruned, "
            + "\(c.failed) failed; \(c.withinBudget) within budget (\(budget)), \(c.starred) starred\n"
        for v in violations {
            let lo = entries.first { $0.hash == v.lower }!, hi = entries.first { $0.hash == v.upper }!
            out += "monotonicity violated: \(hi.label) (\(String(format: "%.4g", v.upperMedian))) is safer than "
                + "\(lo.label) (\(String(format: "%.4g", v.lowerMedian))) and measured better\n"
        }
        return out
    }
}

extension ExploreReport: Codable {}
