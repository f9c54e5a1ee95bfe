import BulkheadConfig
import BulkheadExplore
import XCTest

/// Measuring with pruning, against exhaustive measuring, on the synthetic fixture's space with its known costs.
final class ExplorerTests: XCTestCase {
    func explore(_ plan: ExplorePlan, exhaustive: Bool, runner: FakeRunner = FakeRunner(),
                 store: ResultStore = MemoryStore()) throws -> (ExploreReport, FakeRunner) {
        (try Explorer(plan: plan, runner: runner, store: store, jobs: 2, exhaustive: exhaustive).run(), runner)
    }

    func testPruningFindsTheSameStarredSetAndSkipsMost() throws {
        let plan = try ExploreTestSupport.plan()
        let (all, allRunner) = try explore(plan, exhaustive: true)
        let (pruned, prunedRunner) = try explore(plan, exhaustive: false)
        XCTAssertEqual(all.counts.measured, 252)
        XCTAssertEqual(all.counts.pruned, 0)
        XCTAssertEqual(Set(allRunner.measured).count, 252)
        XCTAssertEqual(Set(pruned.starred.map(\.label)), Set(all.starred.map(\.label)))
        XCTAssertFalse(pruned.starred.isEmpty)
        // the costs: isolating a under process is 5x the baseline (over the 2x budget), isolating b 1.4x: every
        // process configuration that isolates a is above the one that isolates a alone, unhardened
        XCTAssertEqual(pruned.counts.measured + pruned.counts.pruned, 252)
        XCTAssertEqual(pruned.counts.pruned, 156)
        XCTAssertEqual(prunedRunner.measured.count, 96)  // 38% measured, 62% skipped
        XCTAssertTrue(all.violations.isEmpty)
        // nothing pruned would have met the budget
        for (e, full) in zip(pruned.entries, all.entries) where e.status == "pruned" {
            XCTAssertEqual(full.withinBudget, false, e.label)
        }
        // starred: within budget and nothing safer is; a total order would have had to choose one of them
        XCTAssertEqual(Set(pruned.starred.map(\.label)), ["process main+a | b[sp,fort] | c[sp,fort]", "fcall main | a,b,c[sp,fort]"])
    }

    func testASecondRunMeasuresOnlyWhatChanged() throws {
        let store = MemoryStore()
        let small = SpaceTests.small
        _ = try explore(try ExploreTestSupport.plan(small), exhaustive: true, store: store)
        let (again, runner) = try explore(try ExploreTestSupport.plan(small), exhaustive: true, store: store)
        XCTAssertEqual(runner.built, [])
        XCTAssertEqual(again.counts.reused, again.counts.measured)
        // one more hardening option: only the new configurations are built
        let wider = small.replacingOccurrences(of: "hardening: [stack-protector]", with: "hardening: [stack-protector, fortify]")
        let (third, runner3) = try explore(try ExploreTestSupport.plan(wider), exhaustive: true, store: store)
        XCTAssertEqual(runner3.built.count, third.counts.measured - third.counts.reused)
        XCTAssertEqual(third.counts.reused, again.counts.measured)
        XCTAssertTrue(runner3.built.allSatisfy { $0.contains("fort") }, "\(runner3.built)")
        // the sources changed: everything again
        let (_, runner4) = try explore(try ExploreTestSupport.plan(small, sources: "v2"), exhaustive: true, store: store)
        XCTAssertEqual(runner4.built.count, again.counts.measured)
    }

    func testFailuresAndMonotonicityViolationsAreReported() throws {
        let plan = try ExploreTestSupport.plan(SpaceTests.small)
        let runner = FakeRunner()
        runner.failBuild = ["process main+a | b[sp]"]
        runner.override = ["process main | a,b[sp]": 0.01]  // safer than "process main | a,b", and faster
        let (report, _) = try explore(plan, exhaustive: true, runner: runner)
        let failed = report.entries.first { $0.label == "process main+a | b[sp]" }!
        XCTAssertEqual(failed.status, "failed")
        XCTAssertEqual(failed.reason, "make failed: on purpose")
        let names = report.violations.map { v in
            [v.lower, v.upper].map { h in report.entries.first { $0.hash == h }!.label }
        }
        XCTAssertTrue(names.contains(["process main | a,b", "process main | a,b[sp]"]), "\(names)")
        XCTAssertTrue(report.table(order: plan.space.order).contains("monotonicity violated: process main | a,b[sp]"))
    }

    func testMergeOfJobResultsGivesTheStarredSetOfAFullRun() throws {
        let plan = try ExploreTestSupport.plan(SpaceTests.small)
        let (full, _) = try explore(plan, exhaustive: true)
        let store = MemoryStore()
        for item in plan.allItems { _ = Explorer(plan: plan, runner: FakeRunner(), store: store).runOne(item) }
        let merged = try Explorer.merge(plan: plan, store: store)
        XCTAssertEqual(merged.starred.map(\.label), full.starred.map(\.label))
        XCTAssertEqual(merged.counts.measured, plan.items.count)
        // a missing result is a failure, named
        let partial = MemoryStore()
        _ = Explorer(plan: plan, runner: FakeRunner(), store: partial).runOne(plan.baseline)
        let report = try Explorer.merge(plan: plan, store: partial)
        XCTAssertEqual(report.counts.failed, plan.items.count - 1)
        XCTAssertTrue(report.entries.contains { $0.reason?.hasPrefix("no result for ") == true })
    }

    func testEmittedJobsRunEveryConfiguration() throws {
        let plan = try ExploreTestSupport.plan(SpaceTests.small)
        let slurm = JobArray.slurm(plan, exploreFile: "explore.yaml")
        XCTAssertTrue(slurm.contains("#SBATCH --array=0-\(plan.allItems.count - 1)"))
        XCTAssertTrue(slurm.contains("--only \"${hashes[$SLURM_ARRAY_TASK_ID]}\" --results explore-results"))
        let matrix = JobArray.githubMatrix(plan, exploreFile: "explore.yaml")
        for item in plan.allItems {
            XCTAssertTrue(slurm.contains(item.hash))
            XCTAssertTrue(matrix.contains(item.hash))
        }
        XCTAssertTrue(matrix.contains("bulkhead explore explore.yaml --merge explore-results"))
    }

    func testPictureMarksStarredPrunedAndFailed() throws {
        let plan = try ExploreTestSupport.plan(SpaceTests.small)
        let runner = FakeRunner()
        runner.failBuild = ["fcall main | a,b[sp]"]
        let (report, _) = try explore(plan, exhaustive: false, runner: runner)
        let dot = OrderGraph.dot(report, order: plan.space.order)
        XCTAssertEqual(dot.components(separatedBy: " -> ").count - 1, plan.space.order.covers.count)
        for e in report.entries {
            let line = dot.split(separator: "\n").first { $0.hasPrefix("  \"\(e.hash)\" [") }!
            if e.starred { XCTAssertTrue(line.contains("penwidth=3"), String(line)) }
            if e.status == "pruned" { XCTAssertTrue(line.contains("fontcolor=\"#9e9e9e\""), String(line)) }
            if e.status == "failed" { XCTAssertTrue(line.contains("dashed"), String(line)) }
        }
        XCTAssertTrue(report.counts.pruned > 0 && report.counts.failed == 1 && report.counts.starred > 0)
    }
}
