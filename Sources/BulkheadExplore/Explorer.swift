import Foundation

/// What the explorer reports while it runs; the driver prints it.
public enum ExploreEvent: Sendable {
    case building(ExploreItem)
    case built(ExploreItem, failure: String?)
    case measuring(ExploreItem)
    case measured(ExploreItem, Outcome)
    case reused(ExploreItem)
    case pruned(ExploreItem, by: ExploreItem)
    /// After every change: how many configurations are settled, and an estimate of the time left (an upper
    /// bound: pruning may settle some without building them).
    case progress(done: Int, total: Int, building: Int, remainingSeconds: Double?)
}

/// Measures a plan's configurations from the bottom of the safety order up, in waves: the configurations whose
/// every lower one is settled are built in parallel (`jobs` at once), then measured one at a time. A
/// configuration that misses the budget prunes every configuration above it. `exhaustive` measures everything.
public final class Explorer: @unchecked Sendable {
    public let plan: ExplorePlan
    let runner: ExploreRunner
    let store: ResultStore
    let jobs: Int
    let exhaustive: Bool
    let events: (ExploreEvent) -> Void
    let clock: () -> Double

    private let lock = NSLock()
    private var buildSeconds: [Double] = []
    private var measureSeconds: [Double] = []

    public init(plan: ExplorePlan, runner: ExploreRunner, store: ResultStore, jobs: Int = 1, exhaustive: Bool = false,
                clock: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
                events: @escaping (ExploreEvent) -> Void = { _ in }) {
        self.plan = plan
        self.runner = runner
        self.store = store
        self.jobs = max(1, jobs)
        self.exhaustive = exhaustive
        self.clock = clock
        self.events = events
    }

    private func emit(_ e: ExploreEvent) {
        lock.lock()
        defer { lock.unlock() }
        events(e)
    }

    public func run() throws -> ExploreReport {
        let started = clock()
        let spec = plan.space.spec
        // the baseline first: ratio budgets and output checks are against it
        var judge = Judge(workload: spec.workload, budget: spec.budget, baseline: nil)
        let baselineOutcome = settle([plan.baseline], judge: judge)[0]
        guard case .measured(let base, _) = baselineOutcome else {
            if case .failed(let reason) = baselineOutcome {
                throw ExploreFailure("the baseline (\(plan.baseline.label)) failed: \(reason)")
            }
            throw ExploreFailure("the baseline was not measured")
        }
        judge = Judge(workload: spec.workload, budget: spec.budget, baseline: base)

        let order = plan.space.order
        let n = plan.items.count
        var outcomes = [Outcome?](repeating: nil, count: n)
        if let b = plan.items.firstIndex(of: plan.baseline) { outcomes[b] = baselineOutcome }
        func missed(_ i: Int) -> Bool {
            switch outcomes[i] {
            case .measured(let m, _)?: return !judge.withinBudget(m)
            case .pruned?: return true
            default: return false
            }
        }
        while true {
            if !exhaustive {
                for i in order.bottomUp where outcomes[i] == nil {
                    guard let j = order.below[i].first(where: missed) else { continue }
                    var root = j
                    while case .pruned(let by)? = outcomes[root] { root = by }
                    outcomes[i] = .pruned(by: root)
                    emit(.pruned(plan.items[i], by: plan.items[root]))
                }
            }
            let wave = order.bottomUp.filter { i in
                outcomes[i] == nil && (exhaustive || order.below[i].allSatisfy { outcomes[$0] != nil })
            }
            if wave.isEmpty { break }
            progress(outcomes, building: 0)
            let results = settle(wave.map { plan.items[$0] }, judge: judge) { building in
                self.progress(outcomes, building: building)
            }
            for (i, r) in zip(wave, results) { outcomes[i] = r }
            progress(outcomes, building: 0)
        }
        return ExploreReport(plan: plan, outcomes: outcomes.map { $0! }, baseline: baselineOutcome, judge: judge,
                             program: "", wallSeconds: clock() - started)
    }

    private func progress(_ outcomes: [Outcome?], building: Int) {
        let done = outcomes.filter { $0 != nil }.count, left = outcomes.count - done
        lock.lock()
        let b = buildSeconds.isEmpty ? nil : buildSeconds.reduce(0, +) / Double(buildSeconds.count)
        let m = measureSeconds.isEmpty ? nil : measureSeconds.reduce(0, +) / Double(measureSeconds.count)
        lock.unlock()
        let estimate = b.map { Double(left) * ($0 / Double(jobs) + (m ?? 0)) }
        emit(.progress(done: done, total: outcomes.count, building: building, remainingSeconds: estimate))
    }

    /// Builds and measures one wave: results from the store where they are for this workload, the rest built in
    /// parallel and then measured one by one.
    func settle(_ items: [ExploreItem], judge: Judge, building: (Int) -> Void = { _ in }) -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: items.count)
        for (k, item) in items.enumerated() {
            guard let r = store.load(item.hash), r.workload == plan.workloadDigest else { continue }
            if let m = r.measurement {
                outcomes[k] = judge.failure(m).map(Outcome.failed) ?? .measured(m, reused: true)
            } else {
                outcomes[k] = .failed(r.failure ?? "failed")
            }
            emit(.reused(item))
        }
        let toBuild = items.indices.filter { outcomes[$0] == nil }
        final class Failures: @unchecked Sendable { var reasons: [String?] = [] }
        let failures = Failures()
        failures.reasons = [String?](repeating: nil, count: items.count)
        let group = DispatchGroup(), slots = DispatchSemaphore(value: jobs)
        let queue = DispatchQueue(label: "bulkhead.explore.build", attributes: .concurrent)
        let resultLock = NSLock()
        building(toBuild.count)
        for k in toBuild {
            slots.wait()
            group.enter()
            queue.async {
                defer { slots.signal(); group.leave() }
                let item = items[k]
                self.emit(.building(item))
                let t0 = self.clock()
                var failure: String?
                do { try self.runner.build(item) } catch let e as ExploreFailure { failure = e.reason } catch {
                    failure = "\(error)"
                }
                self.lock.lock()
                self.buildSeconds.append(self.clock() - t0)
                self.lock.unlock()
                resultLock.lock()
                failures.reasons[k] = failure
                resultLock.unlock()
                self.emit(.built(item, failure: failure))
            }
        }
        group.wait()
        for k in toBuild {
            let item = items[k]
            var stored = StoredResult(hash: item.hash, label: item.label, workload: plan.workloadDigest,
                                      measurement: nil, failure: failures.reasons[k])
            if failures.reasons[k] == nil {
                emit(.measuring(item))
                let t0 = clock()
                do { stored.measurement = try runner.measure(item) } catch let e as ExploreFailure {
                    stored.failure = e.reason
                } catch {
                    stored.failure = "\(error)"
                }
                lock.lock()
                measureSeconds.append(clock() - t0)
                lock.unlock()
            }
            try? store.save(stored)
            if let m = stored.measurement {
                outcomes[k] = judge.failure(m).map(Outcome.failed) ?? .measured(m, reused: false)
            } else {
                outcomes[k] = .failed(stored.failure ?? "failed")
            }
            emit(.measured(item, outcomes[k]!))
        }
        return outcomes.map { $0! }
    }

    /// Builds and measures one configuration and stores its result (`--only`, on a machine of a job array).
    public func runOne(_ item: ExploreItem) -> Outcome {
        settle([item], judge: Judge(workload: plan.space.spec.workload, budget: plan.space.spec.budget, baseline: nil))[0]
    }

    /// The report from stored results alone (`--merge`): every configuration that has a result for this workload
    /// is measured or failed, the others failed with "no result".
    public static func merge(plan: ExplorePlan, store: ResultStore) throws -> ExploreReport {
        func outcome(_ item: ExploreItem, _ judge: Judge) -> Outcome {
            guard let r = store.load(item.hash) else { return .failed("no result for \(item.hash)") }
            guard r.workload == plan.workloadDigest else { return .failed("its result is for another workload") }
            guard let m = r.measurement else { return .failed(r.failure ?? "failed") }
            return judge.failure(m).map(Outcome.failed) ?? .measured(m, reused: true)
        }
        let spec = plan.space.spec
        let first = Judge(workload: spec.workload, budget: spec.budget, baseline: nil)
        let base = outcome(plan.baseline, first)
        guard case .measured(let b, _) = base else {
            throw ExploreFailure("the baseline (\(plan.baseline.label), \(plan.baseline.hash)) has no result")
        }
        let judge = Judge(workload: spec.workload, budget: spec.budget, baseline: b)
        return ExploreReport(plan: plan, outcomes: plan.items.map { outcome($0, judge) }, baseline: base, judge: judge,
                             program: "", wallSeconds: nil)
    }
}
