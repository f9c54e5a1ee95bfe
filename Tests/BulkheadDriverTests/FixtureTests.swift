import BulkheadAnalysis
import BulkheadCodegen
import BulkheadConfig
import BulkheadDriver
import Foundation
import XCTest

/// Walks Fixtures/: for each program, the emitted tree must equal the golden tree under
/// `expected/<backend>/` (BULKHEAD_REBASE=1 rewrites them, and still fails the run), and the tree must build
/// with the real make and cc and behave byte for byte like the program built from the original sources.
final class FixtureTests: XCTestCase {
    /// Every fixture runs under each of these, whatever its annotation file says.
    static let backends: [BackendKind] = [.fcall, .process]
    /// Files a fixture writes in its working directory, compared with the unpartitioned program's too.
    static let outputFiles = ["exits": ["exits.log"]]

    func testEveryFixtureMatchesItsGoldenTreeAndTheOriginalProgram() throws {
        let names = TestSupport.programFixtures()
        XCTAssertGreaterThanOrEqual(names.count, ProcessInfo.processInfo.environment["BULKHEAD_FIXTURES"] == nil ? 3 : 1, "expected at least three fixture programs")
        for name in names {
            for backend in Self.backends { try check(fixture: name, backend: backend) }
            // compartments of several backends (Fixtures/mixed): also as written, golden under expected/mixed
            let config = try Pipeline(configPath: "\(TestSupport.fixtures)/\(name)/bulkhead.yaml").loadConfig()
            if config.mixesBackends { try check(fixture: name, backend: nil) }
        }
    }

    /// exit() called inside the library: every exit step still runs, in order, with the library's status.
    func testExitCalledInACompartmentRunsTheWholeProgramsExit() throws {
        for backend in Self.backends { try check(fixture: "exits", backend: backend, arguments: ["exit"]) }
    }

    /// Parameters and locals named like every name that generated code uses (Fixtures/names).
    func testGeneratedNamesCannotClashWithTheProgramsNames() throws {
        for backend in Self.backends { try check(fixture: "names", backend: backend) }
    }

    /// Variadic functions without a va_list sibling, each call gated through a stub specialised to the promoted
    /// types it passes through '...' (Fixtures/variadic).
    func testVariadicCallsGoThroughGatesSpecialisedToTheirArgumentTypes() throws {
        for backend in Self.backends { try check(fixture: "variadic", backend: backend) }
    }

    /// `backend`: nil for the annotation file's own backends.
    func check(fixture name: String, backend: BackendKind?, arguments: [String] = []) throws {
        let folder = "\(TestSupport.fixtures)/\(name)"
        let result = try Pipeline(configPath: folder + "/bulkhead.yaml", backend: backend).run()
        if Backends.needsRuntime(result.plan) { try RuntimeInstaller.install(generator: "bulkhead \(BulkheadCLI.version)") }
        let expected = "\(folder)/expected/\(backend?.rawValue ?? "mixed")"
        if ProcessInfo.processInfo.environment["BULKHEAD_REBASE"] != nil {
            try TreeWriter.write(result.tree, to: expected)
            XCTFail("\(name): rebased \(expected); run the tests again without BULKHEAD_REBASE")
        } else {
            let diff = TreeWriter.compare(result.tree, with: expected, program: result.plan.program)
            XCTAssertEqual(diff, TreeWriter.Difference(),
                           "\(name): the emitted tree differs from \(expected); if the change is intended, run BULKHEAD_REBASE=1 Scripts/test.sh")
        }

        let work = try TestSupport.temporaryDirectory(name + (backend?.rawValue ?? "mixed"))
        let original = try Reference.build(configPath: folder + "/bulkhead.yaml", into: work + "/original")
        try TreeWriter.write(result.tree, to: work + "/tree")
        let make = try TestSupport.run(["make", "-s", "-C", work + "/tree"])
        XCTAssertEqual(make.status, 0, "\(name): make failed:\n\(make.stderr)")
        let files = Self.outputFiles[name] ?? []
        for file in files { try? FileManager.default.removeItem(atPath: "\(work)/\(file)") }
        let partitioned = try TestSupport.run([work + "/tree/" + result.plan.program] + arguments, in: work)
        let written = files.map { try? String(contentsOfFile: "\(work)/\($0)", encoding: .utf8) }
        let reference = try TestSupport.run([original] + arguments, in: work)
        XCTAssertEqual(partitioned.status, reference.status, "\(name) (\(backend?.rawValue ?? "mixed")): exit status differs")
        XCTAssertEqual(partitioned.stdout, reference.stdout, "\(name) (\(backend?.rawValue ?? "mixed")): stdout differs")
        XCTAssertEqual(partitioned.stderr, reference.stderr, "\(name) (\(backend?.rawValue ?? "mixed")): stderr differs")
        for (file, text) in zip(files, written) {
            let expected = try String(contentsOfFile: "\(work)/\(file)", encoding: .utf8)
            XCTAssertEqual(text, expected, "\(name) (\(backend?.rawValue ?? "mixed")): \(file) differs")
        }
        XCTAssertFalse(reference.stdout.isEmpty, "\(name): the program printed nothing to compare")
    }
}

/// The unpartitioned program, built with cc from the original sources with the same flags.
enum Reference {
    static func build(configPath: String, into dir: String) throws -> String {
        let pipeline = Pipeline(configPath: configPath)
        let config = try pipeline.loadConfig()
        let sources = try SourceDiscovery(config: config).discover()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let objects = sources.jobs.indices.map { "\(dir)/\($0).o" }
        var failures = [String?](repeating: nil, count: objects.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: objects.count) { i in
            let job = sources.jobs[i]
            let r = try? TestSupport.run(["cc"] + job.arguments + ["-c", job.file, "-o", objects[i]], in: job.directory)
            lock.lock()
            if r?.status != 0 { failures[i] = r?.stderr ?? "cannot run cc" }
            lock.unlock()
        }
        if let failure = failures.compactMap({ $0 }).first {
            throw NSError(domain: "reference build: \(failure)", code: 1)
        }
        let program = "\(dir)/\(config.program.value)"
        let r = try TestSupport.run(["cc", "-o", program] + objects + config.ldflags)
        guard r.status == 0 else { throw NSError(domain: "reference link: \(r.stderr)", code: 1) }
        return program
    }
}
