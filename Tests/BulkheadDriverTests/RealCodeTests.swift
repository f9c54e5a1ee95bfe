import BulkheadAnalysis
import BulkheadCodegen
import BulkheadConfig
import BulkheadDriver
import Foundation
import XCTest

/// Real C code bases, fetched at test time from the package registries (Scripts/fetch-real.sh) into a cache
/// outside the repository, partitioned without changing a line of them by the annotation file under
/// Fixtures/real/<name>/, built, and run through a real workload (workload.sh) next to the unpartitioned build.
final class RealCodeTests: XCTestCase {
    func testEveryRealCodeBaseBehavesLikeTheOriginal() throws {
        let root = TestSupport.fixtures + "/real"
        let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            for backend in ["fcall", "process"] { try check(name, fixture: root + "/" + name, backend: backend) }
        }
    }

    func check(_ name: String, fixture: String, backend: String) throws {
        let fetch = try TestSupport.run([TestSupport.repositoryRoot + "/Scripts/fetch-real.sh", name])
        XCTAssertEqual(fetch.status, 0, "\(name): fetch failed: \(fetch.stderr)")
        guard fetch.status == 0 else { return }
        let source = fetch.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let work = try TestSupport.temporaryDirectory(name + backend)
        let program = work + "/program"
        XCTAssertEqual(try TestSupport.run(["cp", "-a", source, program]).status, 0)
        // our annotation file and driver, if any, next to the code base's own files
        for item in try FileManager.default.contentsOfDirectory(atPath: fixture) where !["source", "prepare.sh", "workload.sh"].contains(item) {
            XCTAssertEqual(try TestSupport.run(["cp", "-a", fixture + "/" + item, program + "/" + item]).status, 0)
        }
        let yaml = program + "/bulkhead.yaml"
        let original = try Reference.build(configPath: yaml, into: work + "/original")
        let build = TestSupport.cli(["build", yaml, "-o", work + "/tree", "--backend", backend])
        XCTAssertEqual(build.status, 0, "\(name): \(build.stderr)")
        guard build.status == 0 else { return }
        let make = try TestSupport.run(["make", "-s", "-j2", "-C", work + "/tree"])
        XCTAssertEqual(make.status, 0, "\(name): make failed:\n\(make.stderr.prefix(3000))")
        let plan = try Pipeline(configPath: yaml, backend: BackendKind(rawValue: backend)).plan().1
        XCTAssertFalse(plan.gates.isEmpty, "\(name): nothing crosses a compartment")
        let workload = fixture + "/workload.sh"
        let expected = try TestSupport.run([workload, original, program])
        let actual = try TestSupport.run([workload, work + "/tree/" + plan.program, program])
        XCTAssertEqual(expected.status, 0, "\(name): the workload fails on the original: \(expected.stderr)")
        XCTAssertEqual(actual.status, expected.status, "\(name) (\(backend)): \(actual.stderr.prefix(2000))")
        XCTAssertGreaterThan(expected.stdout.split(separator: "\n").count, 5, "\(name): the workload did too little")
        XCTAssertEqual(actual.stdout, expected.stdout, "\(name) (\(backend)): outputs differ")
        try? FileManager.default.removeItem(atPath: work)
    }
}
