import BulkheadConfig
import BulkheadDriver
import Foundation
import XCTest

/// `bulkhead syscalls`: the drafted lists name what each compartment's own code calls, and the program built
/// with them runs the same workload under enforcement, with no denial and the same output.
final class SyscallsCommandTests: XCTestCase {
    /// Fixtures/process/syscalls: the reader opens, measures and reads a file; compute only computes; main
    /// asks for its user id.
    func testDraftsEachCompartmentsOwnCallsAndTheProgramRunsUnderThem() throws {
        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/process/syscalls")
        let yaml = program + "/bulkhead.yaml", input = program + "/input.txt"
        let r = TestSupport.cli(["syscalls", yaml, "--write", "-o", program + "/../recording", "--", "{}", input, input])
        XCTAssertEqual(r.status, 0, r.stderr)
        // a recording tree is never taken for a production one
        let check = TestSupport.cli(["check", yaml, "-o", program + "/../recording"])
        XCTAssertEqual(check.status, 1, check.stderr)
        XCTAssertTrue(check.stdout.contains("stale: bh/bh_program.c"), check.stdout)
        XCTAssertTrue(r.stdout.contains("from 1 run of lines"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  compute: # libraries: compute; no system call of its own\n    syscalls: []\n"), r.stdout)

        let config = try ConfigParser.load(path: yaml)
        func list(_ name: String) -> [String] {
            config.compartments.first { $0.name.value == name }?.syscalls.map(\.value) ?? ["missing"]
        }
        for call in ["openat", "read", "lseek"] {
            XCTAssertTrue(list("reader").contains(call), "reader: \(list("reader"))")
            XCTAssertFalse(list("main").contains(call), "main: \(list("main"))")
            XCTAssertFalse(list("compute").contains(call), "compute: \(list("compute"))")
        }
        XCTAssertTrue(list("main").contains("getuid"), "main: \(list("main"))")
        XCTAssertFalse(list("reader").contains("getuid"))
        XCTAssertEqual(list("compute"), [])
        XCTAssertTrue(config.compartments.first { $0.name.value == "compute" }!.emptyAllowlist)
        // the runtime's own calls are left out
        for own in ["futex", "mmap", "write", "clone", "exit_group"] {
            XCTAssertFalse(r.stdout.contains(own), "\(own) drafted:\n\(r.stdout)")
        }

        let expected = try TestSupport.run([try Reference.build(configPath: yaml, into: program + "/../original"), input, input])
        let enforced = try buildAndRun(yaml, tree: program + "/../enforced", arguments: [input, input])
        XCTAssertEqual(enforced.status, 0, enforced.stderr)
        XCTAssertEqual(enforced.stderr, "")
        XCTAssertEqual(enforced.stdout, expected.stdout)
        XCTAssertTrue(enforced.stdout.contains("3 lines"), enforced.stdout)

        // and the lists are enforced: without openat the reader is stopped
        let text = try String(contentsOfFile: yaml, encoding: .utf8)
        try text.replacingOccurrences(of: "syscalls: [lseek, openat, read]", with: "syscalls: [lseek, read]")
            .write(toFile: yaml, atomically: true, encoding: .utf8)
        let denied = try buildAndRun(yaml, tree: program + "/../denied", arguments: [input])
        XCTAssertNotEqual(denied.status, 0)
        XCTAssertTrue(denied.stderr.contains("compartment 'reader' faulted while serving gate 'count_lines': denied system call 'openat'"),
                      denied.stderr)
    }

    /// A real code base (lz4's libraries and our driver, Fixtures/real/lz4): draft from its workload, write the
    /// lists into the annotation file, rebuild, run the workload again under them: the output it gave while
    /// recorded, and no denial.
    func testARealCodeBaseRunsItsWorkloadUnderTheDraftedLists() throws {
        let fetch = try TestSupport.run([TestSupport.repositoryRoot + "/Scripts/fetch-real.sh", "lz4"])
        XCTAssertEqual(fetch.status, 0, "fetch failed: \(fetch.stderr)")
        guard fetch.status == 0 else { return }
        let work = try TestSupport.temporaryDirectory()
        let program = work + "/program", fixture = TestSupport.fixtures + "/real/lz4"
        XCTAssertEqual(try TestSupport.run(["cp", "-a", fetch.stdout.trimmingCharacters(in: .whitespacesAndNewlines), program]).status, 0)
        for item in ["bulkhead.yaml", "driver"] {
            XCTAssertEqual(try TestSupport.run(["cp", "-a", fixture + "/" + item, program + "/" + item]).status, 0)
        }
        let yaml = program + "/bulkhead.yaml", workload = fixture + "/workload.sh"
        let r = TestSupport.cli(["syscalls", yaml, "--write", "-o", work + "/recording", "--", workload, "{}", program])
        XCTAssertEqual(r.status, 0, r.stderr)
        let config = try ConfigParser.load(path: yaml)
        let main = config.compartments.first { $0.isDefault }!.syscalls.map(\.value)
        XCTAssertTrue(main.contains("openat") && main.contains("read"), "the driver reads files: \(main)")
        for codec in config.compartments where !codec.isDefault {
            XCTAssertTrue(codec.emptyAllowlist, "\(codec.name.value) is a pure codec: \(codec.syscalls.map(\.value))")
        }

        // what the workload gave while it was recorded (RealCodeTests compares the process backend with the
        // unpartitioned program on the same workload)
        let expected = try TestSupport.run([workload, work + "/recording/lz4rt", program])
        XCTAssertEqual(expected.status, 0, expected.stderr)
        let tree = work + "/tree"
        XCTAssertEqual(TestSupport.cli(["build", yaml, "-o", tree, "--backend", "process"]).status, 0)
        // the two trees differ only in bh/bh_program.c (testOnlyTheRecordingBuildCallsTheRecorder): the other
        // objects of the recording build are reused, made newer than the fresh tree's sources
        XCTAssertEqual(try TestSupport.run(["cp", "-a", work + "/recording/obj", tree + "/obj"]).status, 0)
        XCTAssertEqual(try TestSupport.run(["rm", tree + "/obj/bh/bh_program.o"]).status, 0)
        XCTAssertEqual(try TestSupport.run(["find", tree + "/obj", "-name", "*.o", "-exec", "touch", "{}", "+"]).status, 0)
        XCTAssertEqual(try TestSupport.run(["make", "-s", "-j2", "-C", tree]).status, 0)
        let enforced = try TestSupport.run([workload, tree + "/lz4rt", program])
        XCTAssertEqual(enforced.status, 0, enforced.stderr)
        XCTAssertFalse(enforced.stderr.contains("bulkhead:"), enforced.stderr)
        XCTAssertGreaterThan(expected.stdout.split(separator: "\n").count, 5)
        XCTAssertEqual(enforced.stdout, expected.stdout)
        try? FileManager.default.removeItem(atPath: work)
    }

    /// Only a tree built by `bulkhead syscalls` records; the one `bulkhead build` writes cannot be made to.
    func testOnlyTheRecordingBuildCallsTheRecorder() throws {
        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/process/syscalls")
        let yaml = program + "/bulkhead.yaml"
        var pipeline = Pipeline(configPath: yaml)
        let production = String(decoding: try pipeline.run().tree.files["bh/bh_program.c"]!, as: UTF8.self)
        XCTAssertFalse(production.contains("bh_syscall_trace"), production)
        pipeline.syscallTrace = "/tmp/a \"trace\"\\é\n"
        let recording = String(decoding: try pipeline.run().tree.files["bh/bh_program.c"]!, as: UTF8.self)
        XCTAssertTrue(recording.contains(#"static const char bh_trace_file[] = "/tmp/a \"trace\"\\\303\251\012";"#), recording)
        XCTAssertTrue(recording.contains("\tbh_syscall_trace(&bh_program, bh_trace_file);\n\tbh_runtime_start(&bh_program);"), recording)
        XCTAssertEqual(recording.components(separatedBy: "bh_syscalls_traced },").count - 1, 3)
        let (a, b) = (try Pipeline(configPath: yaml).run().tree.files, try pipeline.run().tree.files)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        XCTAssertEqual(a.keys.filter { a[$0] != b[$0] }.sorted(), ["bh/bh_program.c", "bulkhead.stamp"])
    }

    /// Fixtures/process/faults: a compartment restarted after a fault hands its new filter's listener over
    /// too, and a compartment that runs a thread ending with pthread_exit is recorded as under enforcement.
    func testRecordingGoesOnAcrossARestartAndEveryRunIsCounted() throws {
        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/process/faults")
        let r = TestSupport.cli(["syscalls", program + "/bulkhead.yaml", "--", "sh", "-c", "{} && {} open && {} thread"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("from 3 runs of faults"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  flaky: # libraries: flaky; no system call of its own\n    syscalls: []\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  io:    # libraries: io; adds openat; drops read, write\n    syscalls: [openat]\n"), r.stdout)
    }

    func testAWorkloadThatNeverStartsTheProgramIsAnError() throws {
        let program = try TestSupport.copyFixture(TestSupport.fixtures + "/process/syscalls")
        let none = TestSupport.cli(["syscalls", program + "/bulkhead.yaml"])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("give the workload after '--'"), none.stderr)
        let r = TestSupport.cli(["syscalls", program + "/bulkhead.yaml", "--", "true"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("error: the workload never started the program; write {} where its path goes"), r.stderr)
        let failed = TestSupport.cli(["syscalls", program + "/bulkhead.yaml", "--", "sh", "-c", "{} && exit 3"])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.stderr.contains("error: the workload failed (exit status 3); nothing drafted"), failed.stderr)
    }

    func testTheDraftComesFromTheTraceAndSaysHowItDiffersFromTheFile() throws {
        let draft = SyscallDraft(trace: "run\nmain getuid\nreader read\nrun\nreader openat\nreader read\n")
        XCTAssertEqual(draft.runs, 2)
        XCTAssertEqual(draft.calls, ["main": ["getuid"], "reader": ["openat", "read"]])
        let config = try ConfigParser.parse(text: """
            program: p
            libraries: { a: { sources: [a.c] }, r: { sources: [r.c] }, c: { sources: [c.c] } }
            compartments:
              main: { libraries: [a], default: true }
              reader: { libraries: [r], syscalls: [read, write] }
              compute: { libraries: [c] }

            """, path: "bulkhead.yaml", displayPath: "bulkhead.yaml", baseDirectory: "/")
        XCTAssertEqual(draft.yaml(config: config, workload: "run.sh {}"), """
            # Drafted by `bulkhead syscalls` from 2 runs of p under: run.sh {}
            # Each list holds the system calls that compartment's own code made, beyond those the runtime allows
            # every compartment anyway (Sources/CBulkheadRuntime/process/seccomp.c). A call the workload did not reach is
            # missing: draft from workloads that cover what the program does in production.
            compartments:
              main:    # libraries: a
                syscalls: [getuid]
              reader:  # libraries: r; adds openat; drops write
                syscalls: [openat, read]
              compute: # libraries: c; no system call of its own
                syscalls: []

            """)
    }

    func buildAndRun(_ yaml: String, tree: String, arguments: [String]) throws -> TestSupport.ProcessResult {
        let b = TestSupport.cli(["build", yaml, "-o", tree])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(try TestSupport.run(["make", "-s", "-C", tree]).status, 0)
        return try TestSupport.run([tree + "/lines"] + arguments)
    }
}
