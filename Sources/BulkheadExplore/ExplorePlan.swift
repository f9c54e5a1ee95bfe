import BulkheadConfig

/// The space with what names each configuration's build: its annotation file and hash. The baseline (fcall, one
/// compartment, no hardening) is an item too, in the space or not.
public struct ExplorePlan: Sendable {
    public let space: Space
    public let items: [ExploreItem]
    public let baseline: ExploreItem
    /// Names the workload and metric: a stored result for another workload is measured again.
    public let workloadDigest: String

    /// `sourcesDigest` names the program's sources (every file its translation units read).
    public init(space: Space, effective: EffectiveConfig, sourcesDigest: String) {
        self.space = space
        func item(_ c: Configuration) -> ExploreItem {
            let yaml = effective.yaml(c)
            return ExploreItem(hash: ContentHash.of(yaml + "\u{0}" + sourcesDigest), configuration: c, yaml: yaml)
        }
        items = space.configurations.map(item)
        baseline = items.first { $0.configuration == space.baseline } ?? item(space.baseline)
        let w = space.spec.workload
        workloadDigest = ContentHash.of([w.command.value, String(w.runs), w.metric.rawValue, w.better.rawValue,
                                         String(w.checkOutput)].joined(separator: "\u{0}"))
    }

    /// Every item to build, the baseline included once.
    public var allItems: [ExploreItem] {
        items.contains(baseline) ? items : [baseline] + items
    }

    public func item(hash: String) -> ExploreItem? { allItems.first { $0.hash == hash } }
}

/// What a measurement means against the budget.
public struct Judge: Sendable {
    public let workload: ExploreSpec.Workload
    public let budget: ExploreSpec.Budget
    public let baseline: MetricSample?

    /// How many times worse than the baseline (1.0 = the same, above 1 = worse), when there is a baseline.
    public func ratio(_ m: MetricSample) -> Double? {
        guard let b = baseline?.median, b > 0, m.median > 0 else { return nil }
        return workload.better == .lower ? m.median / b : b / m.median
    }

    public func withinBudget(_ m: MetricSample) -> Bool {
        switch budget.kind {
        case .ratio: return (ratio(m) ?? .infinity) <= budget.value
        case .max: return m.median <= budget.value
        case .min: return m.median >= budget.value
        }
    }

    /// A measurement whose output is not the baseline's is a failure, not a figure.
    public func failure(_ m: MetricSample) -> String? {
        guard workload.metric != .output, workload.checkOutput, let b = baseline, b.outputDigest != m.outputDigest else {
            return nil
        }
        return "its output differs from the baseline's"
    }

    /// Whether `a` is better than `b` by more than both spreads together (a monotonicity violation when `a` is
    /// the safer one).
    public func clearlyBetter(_ a: MetricSample, than b: MetricSample) -> Bool {
        let spread = (a.maximum - a.minimum) + (b.maximum - b.minimum)
        return workload.better == .lower ? a.median + spread < b.median : a.median - spread > b.median
    }
}
