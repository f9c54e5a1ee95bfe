import BulkheadConfig
import BulkheadModel
import XCTest

/// explore.yaml: what it reads, and every error at its file:line:col.
final class ExploreParserTests: XCTestCase {
    func parse(_ text: String) throws -> ExploreSpec {
        try ExploreParser.parse(text: text, path: "explore.yaml", displayPath: "explore.yaml", baseDirectory: "/p")
    }

    func errors(_ text: String) -> [String] {
        do { _ = try parse(text); return [] } catch { return (error as? DiagnosticError)?.diagnostics.map(\.description) ?? ["\(error)"] }
    }

    func testReadsEveryKey() throws {
        let spec = try parse("""
            base: bulkhead.yaml
            isolate: [a, b]
            together: [[a, b]]
            backends: [process]
            hardening: [[stack-protector], [stack-protector, asan]]
            harden_default: false
            syscalls: { a: [read, write] }
            workload: { command: './run "$BULKHEAD_PROGRAM"', runs: 3, metric: output, better: higher }
            budget: { min: 1000 }
            """)
        XCTAssertEqual(spec.base.value, "bulkhead.yaml")
        XCTAssertEqual(spec.isolate.map(\.value), ["a", "b"])
        XCTAssertEqual(spec.together?.map { $0.map(\.value) }, [["a", "b"]])
        XCTAssertEqual(spec.backends.map(\.value), [.process])
        XCTAssertEqual(spec.hardening, [[], [.stackProtector], [.stackProtector, .asan]])
        XCTAssertFalse(spec.hardenDefault)
        XCTAssertEqual(spec.syscalls.map { $0.names.map(\.value) }, [["read", "write"]])
        XCTAssertEqual(spec.workload.runs, 3)
        XCTAssertEqual(spec.workload.metric, .output)
        XCTAssertEqual(spec.workload.better, .higher)
        XCTAssertEqual(spec.budget.kind, .min)
        XCTAssertEqual(spec.budget.value, 1000)
    }

    func testDefaultsAndSubsets() throws {
        let spec = try parse("base: b.yaml\nisolate: [a]\nhardening: [asan, cfi]\nworkload: { command: x }\nbudget: { ratio: 1.5 }\n")
        XCTAssertEqual(spec.backends.map(\.value), [.fcall, .process])
        XCTAssertEqual(Set(spec.hardening), [[], [.asan], [.cfi], [.asan, .cfi]])
        XCTAssertEqual(spec.workload.runs, 5)
        XCTAssertEqual(spec.workload.metric, .time)
        XCTAssertTrue(spec.workload.checkOutput)
    }

    func testCPUTimeIsBetterLower() throws {
        XCTAssertEqual(try parse("base: b.yaml\nisolate: [a]\nworkload: { command: x, metric: cpu }\nbudget: { max: 2 }\n").workload.metric, .cpu)
        XCTAssertEqual(errors("base: b.yaml\nisolate: [a]\nworkload: { command: x, metric: cpu, better: higher }\nbudget: { min: 2 }\n"),
                       ["explore.yaml:3:46: error: a time is better when it is lower; 'better: higher' needs 'metric: output'"])
    }

    func testErrorsAtTheirPlace() {
        XCTAssertEqual(errors("base: b.yaml\nisolate: [a]\nbackend: [fcall]\nworkload: { command: x }\nbudget: { ratio: 1.5 }\n"),
                       ["explore.yaml:3:1: error: unknown key 'backend'; did you mean 'backends'?"])
        XCTAssertEqual(errors("base: b.yaml\nisolate: [a]\nbackends: [fcal]\nworkload: { command: x }\nbudget: { ratio: 1.5 }\n"),
                       ["explore.yaml:3:12: error: backends must be one of fcall, process, mpk, not 'fcal'; did you mean 'fcall'?"])
        XCTAssertEqual(errors("base: b.yaml\nisolate: [a]\nworkload: { command: x, runs: 0 }\nbudget: { ratio: 1.5, max: 3 }\n"),
                       ["explore.yaml:3:31: error: 'runs' must be a whole number from 1 to 1000, like 'runs: 5'",
                        "explore.yaml:4:1: error: 'budget' must hold exactly one of ratio, max, min, like 'budget: { ratio: 1.5 }'"])
        XCTAssertEqual(errors("base: b.yaml\nisolate: [a]\ntogether: [[a, z]]\nworkload: { command: x }\nbudget: { min: 3 }\n"),
                       ["explore.yaml:3:16: error: 'z' in 'together' is not listed in 'isolate'; did you mean 'a'?",
                        "explore.yaml:5:11: error: 'min' bounds a metric that is better higher; with a lower-is-better metric write 'max'"])
        XCTAssertEqual(errors("isolate: [a]\nhardening: [asan, stack-protektor]\nworkload: { command: x }\nbudget: { ratio: 0.5 }\n"),
                       ["explore.yaml:1:1: error: missing required key 'base'",
                        "explore.yaml:2:19: error: hardening must be one of asan, ubsan, stack-protector, safe-stack, cfi, fortify, not 'stack-protektor'; did you mean 'stack-protector'?",
                        "explore.yaml:4:18: error: a ratio budget is at least 1 (1.5 allows 1.5x the baseline's cost)"])
        XCTAssertEqual(errors("base: [b\n"), ["explore.yaml:2:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 1); separate list items with ',' and close the list with ']'"])
    }
}
