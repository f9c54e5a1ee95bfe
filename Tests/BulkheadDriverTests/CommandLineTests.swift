import BulkheadCodegen
import BulkheadDriver
import Foundation
import XCTest

final class CommandLineTests: XCTestCase {
    func testCheckIsFreshThenStaleAfterAnEditThenStaleAfterADeletion() throws {
        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/calc")
        let yaml = program + "/bulkhead.yaml", out = program + "/../out"
        XCTAssertEqual(TestSupport.cli(["build", yaml, "-o", out]).status, 0)
        let fresh = TestSupport.cli(["check", yaml, "-o", out])
        XCTAssertEqual(fresh.status, 0, fresh.stdout + fresh.stderr)
        // the stamp alone proves it fresh: nothing is parsed
        XCTAssertTrue(try Pipeline(configPath: yaml, outputDirectory: out).isFreshByStamp(out))

        // a build in the tree does not make it stale
        XCTAssertEqual(try TestSupport.run(["make", "-s", "-C", out]).status, 0)
        XCTAssertEqual(TestSupport.cli(["check", yaml, "-o", out]).status, 0)

        let source = program + "/eval/eval.c"
        let text = try String(contentsOfFile: source, encoding: .utf8)
        try (text + "\n/* edited */\n").write(toFile: source, atomically: true, encoding: .utf8)
        XCTAssertFalse(try Pipeline(configPath: yaml, outputDirectory: out).isFreshByStamp(out))
        let edited = TestSupport.cli(["check", yaml, "-o", out])
        XCTAssertEqual(edited.status, 1)
        XCTAssertTrue(edited.stdout.contains("stale: src/eval/eval.c"), edited.stdout)

        XCTAssertEqual(TestSupport.cli(["build", yaml, "-o", out]).status, 0)
        XCTAssertEqual(TestSupport.cli(["check", yaml, "-o", out]).status, 0)
        try FileManager.default.removeItem(atPath: out + "/Makefile")
        let deleted = TestSupport.cli(["check", yaml, "-o", out])
        XCTAssertEqual(deleted.status, 1)
        XCTAssertTrue(deleted.stdout.contains("missing: Makefile"), deleted.stdout)

        XCTAssertEqual(TestSupport.cli(["build", yaml, "-o", out]).status, 0)
        try "x".write(toFile: out + "/src/stray.c", atomically: true, encoding: .utf8)
        let extra = TestSupport.cli(["check", yaml, "-o", out])
        XCTAssertEqual(extra.status, 1)
        XCTAssertTrue(extra.stdout.contains("extra: src/stray.c"), extra.stdout)

        XCTAssertEqual(TestSupport.cli(["check", program + "/nope.yaml", "-o", out]).status, 2)
    }

    func testOutputIsByteIdenticalWhereverTheProgramLies() throws {
        for name in TestSupport.programFixtures() {
            let a = try TestSupport.copyFixture(TestSupport.fixtures + "/" + name)
            let b = try TestSupport.copyFixture(TestSupport.fixtures + "/" + name)
            XCTAssertNotEqual(a, b)
            var trees: [[String: Data]] = []
            for (i, out) in [a + "/../out", b + "/../deeper/out", b + "/../again"].enumerated() {
                XCTAssertEqual(TestSupport.cli(["build", (i == 0 ? a : b) + "/bulkhead.yaml", "-o", out]).status, 0)
                trees.append(TestSupport.snapshot(out))
            }
            XCTAssertEqual(trees[0], trees[1], name)
            XCTAssertEqual(trees[1], trees[2], name)
            for (path, data) in trees[0] {
                let text = String(decoding: data, as: UTF8.self)
                XCTAssertFalse(text.contains(a) || text.contains(NSTemporaryDirectory()), "\(name): \(path) holds a machine path")
            }
        }
    }

    func testAnUnwritableOutputFolderIsAnErrorAndNothingIsLeftBehind() throws {
        let work = try TestSupport.temporaryDirectory()
        try "not a folder".write(toFile: work + "/file", atomically: true, encoding: .utf8)
        let r = TestSupport.cli(["build", TestSupport.fixtures + "/shapes/bulkhead.yaml", "-o", work + "/file/out"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("error: cannot write output directory"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work), ["file"])
    }

    func testAFolderThatIsNotABulkheadTreeIsNeverReplaced() throws {
        let work = try TestSupport.temporaryDirectory()
        try "precious".write(toFile: work + "/notes.txt", atomically: true, encoding: .utf8)
        let r = TestSupport.cli(["build", TestSupport.fixtures + "/shapes/bulkhead.yaml", "-o", work])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("is not a bulkhead tree"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: work + "/notes.txt", encoding: .utf8), "precious")
    }

    func testMissingFilesAreErrorsWithTheirNames() throws {
        let missing = TestSupport.cli(["build", "/nonexistent/bulkhead.yaml", "-o", "/tmp/x"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("error: cannot read annotation file '/nonexistent/bulkhead.yaml'"), missing.stderr)

        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/shapes")
        try FileManager.default.removeItem(atPath: program + "/fmt")
        let r = TestSupport.cli(["build", program + "/bulkhead.yaml", "-o", program + "/../out"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("bulkhead.yaml:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("no C file matches 'fmt/"), r.stderr)

        let header = try TestSupport.copyFixture(TestSupport.fixtures + "/shapes")
        try FileManager.default.removeItem(atPath: header + "/include")
        let h = TestSupport.cli(["build", header + "/bulkhead.yaml", "-o", header + "/../out"])
        XCTAssertEqual(h.status, 2)
        XCTAssertTrue(h.stderr.contains("app/main.c:") && h.stderr.contains("file not found"), h.stderr)
    }

    /// `backend: mpk` builds (its programs run in MpkVMTests); `gate:` belongs to mpk and is refused at its key
    /// under another backend.
    func testMpkBuildsAndTheGateKeyIsRefusedOutsideIt() throws {
        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/shapes")
        let yaml = program + "/bulkhead.yaml"
        let original = try String(contentsOfFile: yaml, encoding: .utf8)
        try original.replacingOccurrences(of: "backend: fcall", with: "backend: mpk").write(toFile: yaml, atomically: true, encoding: .utf8)
        let r = TestSupport.cli(["build", yaml, "-o", program + "/../out"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: program + "/../out/bh/bh_mpk_runtime.c"))

        let lines = original.components(separatedBy: "\n")
        let at = try XCTUnwrap(lines.firstIndex { $0.contains("default: true") })
        var changed = lines
        changed[at] = changed[at].replacingOccurrences(of: "default: true", with: "default: true, gate: private")
        try changed.joined(separator: "\n").write(toFile: yaml, atomically: true, encoding: .utf8)
        let refused = TestSupport.cli(["build", yaml, "-o", program + "/../out2"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("bulkhead.yaml:\(at + 1):") && refused.stderr.contains("'gate:' chooses how an mpk gate runs the callee"), refused.stderr)
    }

    func testGraphPrintsCompartmentsAndGatesWithCallCounts() throws {
        let r = TestSupport.cli(["graph", TestSupport.fixtures + "/calc/bulkhead.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("digraph \"calc\" {"), r.stdout)
        XCTAssertTrue(r.stdout.contains("subgraph \"cluster_parser\""), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"lib:eval\" -> \"lib:app\" [label=\"app_count (1)\"]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"lib:app\" -> \"lib:parser\" [label=\"parse_expr ("), r.stdout)
    }

    func testExplainListsGatesCallbacksSharedGlobalsAndStackLocalsWithLocations() throws {
        let r = TestSupport.cli(["explain", TestSupport.fixtures + "/events/bulkhead.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let plan = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(plan["version"] as? Int, 1)
        let gates = try XCTUnwrap(plan["gates"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        XCTAssertTrue(gates.contains("sort_items") && gates.contains("log_printf") && gates.contains("bus_subscribe"), "\(gates)")
        let callbacks = try XCTUnwrap(plan["callbacks"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        XCTAssertTrue(callbacks.contains("cmp_int_asc") && callbacks.contains("on_temperature"), "\(callbacks)")
        let globals = try XCTUnwrap(plan["sharedGlobals"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        XCTAssertEqual(globals, ["bus_delivered_count", "sort_comparisons"])
        let locals = try XCTUnwrap(plan["sharedStackLocals"] as? [[String: Any]])
        XCTAssertTrue(locals.contains { $0["name"] as? String == "stats" && $0["gate"] as? String == "bus_subscribe" }, "\(locals)")
    }

    func testHelpAndVersion() {
        let version = TestSupport.cli(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.stdout, BulkheadCLI.version + "\n")
        for sub in ["build", "check", "graph", "explain"] {
            let help = TestSupport.cli([sub, "--help"])
            XCTAssertEqual(help.status, 0, sub)
            XCTAssertTrue(help.stdout.contains("USAGE: bulkhead \(sub)"), help.stdout)
        }
        let bad = TestSupport.cli(["build"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("Missing expected argument"), bad.stderr)
    }

    func testAHardenedCompartmentCatchesItsInjectedBug() throws {
        let work = try TestSupport.temporaryDirectory()
        let folder = TestSupport.fixtures + "/hardened"
        XCTAssertEqual(TestSupport.cli(["build", folder + "/bulkhead.yaml", "-o", work + "/tree"]).status, 0)
        let makefile = try String(contentsOfFile: work + "/tree/Makefile", encoding: .utf8)
        let codecLine = try XCTUnwrap(makefile.split(separator: "\n").first { $0.contains("-c codec/codec.c") })
        XCTAssertTrue(codecLine.contains("-fsanitize=address"), String(codecLine))
        let appLine = try XCTUnwrap(makefile.split(separator: "\n").first { $0.contains("-c app/main.c") })
        XCTAssertFalse(appLine.contains("-fsanitize"), String(appLine))
        XCTAssertEqual(try TestSupport.run(["make", "-s", "-C", work + "/tree"]).status, 0)
        let caught = try TestSupport.run([work + "/tree/hardened", "--trigger"])
        XCTAssertNotEqual(caught.status, 0)
        XCTAssertTrue(caught.stderr.contains("ERROR: AddressSanitizer: heap-buffer-overflow"), caught.stderr)
        // without the hardening the same bug goes unnoticed
        let original = try Reference.build(configPath: folder + "/bulkhead.yaml", into: work + "/original")
        let silent = try TestSupport.run([original, "--trigger"])
        XCTAssertFalse(silent.stderr.contains("AddressSanitizer"), silent.stderr)
    }
}

final class GeneratedFileTests: XCTestCase {
    func testTheEmbeddedRuntimeHeaderIsCurrent() throws {
        let header = try String(contentsOfFile: TestSupport.repositoryRoot + "/Sources/CBulkheadRuntime/include/bulkhead_runtime.h", encoding: .utf8)
        XCTAssertEqual(RuntimeHeader.text + "\n", header, "Sources/BulkheadCodegen/Backends/Process/RuntimeHeader.swift is out of date: run Scripts/gen-runtime-header.sh")
    }
}
