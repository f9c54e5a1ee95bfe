import BulkheadDriver
import Foundation
import XCTest

/// `bulkhead explore` for real: the synthetic fixture's configurations written, built with make, run, ordered,
/// cached, pictured and merged. Budgets are chosen so that no outcome depends on a timing.
final class ExploreCommandTests: XCTestCase {
    static func exploreFile(budget: String) -> String {
        """
        base: bulkhead.yaml
        isolate: [a]
        backends: [fcall, process]
        hardening: [stack-protector]
        harden_default: false
        workload: { command: '"$BULKHEAD_PROGRAM" 2000 200 2', runs: 1 }
        budget: \(budget)

        """
    }

    func report(_ dir: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/explore.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func entries(_ r: [String: Any]) -> [[String: Any]] { r["entries"] as! [[String: Any]] }

    func testExploresBuildsCachesAndPrunesForReal() throws {
        let dir = try TestSupport.copyFixture(TestSupport.fixtures + "/explore/synthetic")
        let file = dir + "/small.yaml", cache = dir + "/cache", out = dir + "/out"
        try Self.exploreFile(budget: "{ ratio: 1000 }").write(toFile: file, atomically: true, encoding: .utf8)
        let first = TestSupport.cli(["explore", file, "-j2", "--cache", cache, "-o", out])
        XCTAssertEqual(first.status, 0, first.stderr)
        let r = try report(out)
        XCTAssertEqual(entries(r).map { $0["status"] as! String }, ["measured", "measured", "measured", "measured"])
        XCTAssertEqual(entries(r).filter { $0["starred"] as! Bool }.map { $0["label"] as! String }, ["process main | a[sp]"])
        XCTAssertTrue(first.stdout.contains("4 configurations: 4 measured (0 from the cache), 0 pruned, 0 failed"), first.stdout)
        XCTAssertTrue(first.stderr.contains("building process main | a[sp]"), first.stderr)
        // the starred configuration's annotation file, and its build, which runs like the baseline
        let starred = try FileManager.default.contentsOfDirectory(atPath: out + "/starred")
        XCTAssertEqual(starred.count, 1)
        let yaml = try String(contentsOfFile: out + "/starred/" + starred[0], encoding: .utf8)
        XCTAssertTrue(yaml.contains("a: {libraries: [a], hardening: [stack-protector]}"), yaml)
        let hash = String(starred[0].dropFirst(2).prefix(16)), baseline = r["baseline"] as! [String: Any]
        let run = try TestSupport.run([cache + "/" + hash + "/tree/synthetic", "2000", "200", "2"])
        let expected = try TestSupport.run([cache + "/" + (baseline["hash"] as! String) + "/tree/synthetic", "2000", "200", "2"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, expected.stdout)
        XCTAssertTrue(try String(contentsOfFile: out + "/explore.dot", encoding: .utf8).contains("penwidth=3"))
        if (try? TestSupport.run(["dot", "-V"]))?.status == 0 {
            XCTAssertTrue(try String(contentsOfFile: out + "/explore.svg", encoding: .utf8).contains("<svg"))
        }

        // a second run measures nothing again
        let second = TestSupport.cli(["explore", file, "-j2", "--cache", cache, "-o", out])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertFalse(second.stderr.contains("building"), second.stderr)
        XCTAssertTrue(second.stdout.contains("4 measured (4 from the cache)"), second.stdout)

        // a budget nothing meets: the bottom is measured, everything above it is pruned unbuilt
        try Self.exploreFile(budget: "{ max: 0.000000001 }").write(toFile: file, atomically: true, encoding: .utf8)
        let tight = TestSupport.cli(["explore", file, "--cache", cache, "-o", out])
        XCTAssertEqual(tight.status, 0, tight.stderr)
        XCTAssertEqual(entries(try report(out)).map { $0["status"] as! String }, ["measured", "pruned", "pruned", "pruned"])
        XCTAssertTrue(tight.stdout.contains("4 configurations: 1 measured (1 from the cache), 3 pruned, 0 failed; 0 within budget"), tight.stdout)

        // an edited source: every configuration is built again
        let source = dir + "/a/a.c"
        try (try String(contentsOfFile: source, encoding: .utf8) + "/* edited */\n").write(toFile: source, atomically: true, encoding: .utf8)
        try Self.exploreFile(budget: "{ ratio: 1000 }").write(toFile: file, atomically: true, encoding: .utf8)
        let edited = TestSupport.cli(["explore", file, "-j2", "--cache", cache, "-o", out])
        XCTAssertEqual(edited.status, 0, edited.stderr)
        XCTAssertTrue(edited.stdout.contains("4 measured (0 from the cache)"), edited.stdout)
    }

    func testJobsOnOtherMachinesAreMerged() throws {
        let dir = try TestSupport.copyFixture(TestSupport.fixtures + "/explore/synthetic")
        let file = dir + "/small.yaml", cache = dir + "/cache"
        try Self.exploreFile(budget: "{ ratio: 1000 }").write(toFile: file, atomically: true, encoding: .utf8)
        let slurm = TestSupport.cli(["explore", file, "--emit", "slurm"])
        XCTAssertEqual(slurm.status, 0, slurm.stderr)
        let line = slurm.stdout.split(separator: "\n").first { $0.hasPrefix("hashes=(") }!
        let hashes = line.dropFirst("hashes=(".count).dropLast().split(separator: " ").map(String.init)
        XCTAssertEqual(hashes.count, 4)
        for h in hashes {
            let job = TestSupport.cli(["explore", file, "--only", h, "--results", dir + "/results", "--cache", cache])
            XCTAssertEqual(job.status, 0, job.stderr)
            XCTAssertTrue(job.stdout.hasPrefix(h + "  "), job.stdout)
        }
        let merged = TestSupport.cli(["explore", file, "--merge", dir + "/results", "-o", dir + "/out"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(merged.stdout.contains("4 configurations: 4 measured"), merged.stdout)
        XCTAssertEqual(entries(try report(dir + "/out")).filter { $0["starred"] as! Bool }.map { $0["label"] as! String },
                       ["process main | a[sp]"])
        let matrix = TestSupport.cli(["explore", file, "--emit", "github-matrix"])
        XCTAssertTrue(matrix.stdout.contains("config: [\(hashes.joined(separator: ", "))]"), matrix.stdout)
    }

    func testBadInputIsAnErrorAtItsPlace() throws {
        let dir = try TestSupport.copyFixture(TestSupport.fixtures + "/explore/synthetic")
        let file = dir + "/bad.yaml"
        try "base: bulkhead.yaml\nisolate: [a, zz]\nworkload: { command: x }\nbudget: { ratio: 2 }\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let bad = TestSupport.cli(["explore", file])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr, "\(file):2:14: error: library 'zz' is not a library of \(dir)/bulkhead.yaml\n")
        try Self.exploreFile(budget: "{ ratio: 2 }").write(toFile: file, atomically: true, encoding: .utf8)
        let unknown = TestSupport.cli(["explore", file, "--only", "0123", "--results", dir + "/r"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no configuration of \(file) has the hash '0123'"), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/.bulkhead-explore"))
    }

    /// A real code base, explored for real on a small space: lz4 with xxhash isolated or not, under fcall or
    /// process, with or without stack-protector. Every configuration must give the baseline's output.
    func testExploresARealCodeBase() throws {
        let fetch = try TestSupport.run([TestSupport.repositoryRoot + "/Scripts/fetch-real.sh", "lz4"])
        XCTAssertEqual(fetch.status, 0, fetch.stderr)
        guard fetch.status == 0 else { return }
        let dir = try TestSupport.temporaryDirectory() + "/program"
        XCTAssertEqual(try TestSupport.run(["cp", "-a", fetch.stdout.trimmingCharacters(in: .whitespacesAndNewlines), dir]).status, 0)
        for item in ["bulkhead.yaml", "driver", "workload.sh"] {
            XCTAssertEqual(try TestSupport.run(["cp", "-a", TestSupport.fixtures + "/real/lz4/" + item, dir + "/" + item]).status, 0)
        }
        try """
            base: bulkhead.yaml
            isolate: [xxhash]
            backends: [fcall, process]
            hardening: [stack-protector]
            harden_default: false
            workload: { command: './workload.sh "$BULKHEAD_PROGRAM" .', runs: 1 }
            budget: { ratio: 1000 }

            """.write(toFile: dir + "/explore.yaml", atomically: true, encoding: .utf8)
        let run = TestSupport.cli(["explore", dir + "/explore.yaml", "-j2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let r = try report(dir + "/explore-out")
        XCTAssertEqual(entries(r).map { $0["status"] as! String }, ["measured", "measured", "measured", "measured"], run.stdout)
        XCTAssertEqual(entries(r).filter { $0["starred"] as! Bool }.map { $0["label"] as! String }, ["process main | xxhash[sp]"])
        try? FileManager.default.removeItem(atPath: dir)
    }
}
