import Foundation
import XCTest

/// Attack programs (Fixtures/attacks/): code in compartment 'attacker' tries what the threat model (README,
/// "Threat model") says it cannot do, as root when the tests run as root. A test passes when no secret was
/// obtained, nothing was changed or killed, and the program either finished or reported the attacker's
/// fault (a contained one: the program ends with the report).
final class AttackTests: XCTestCase {
    func build(_ name: String, edit: (String) -> String = { $0 }) throws -> String {
        try TestSupport.buildFixture("attacks/" + name, edit: edit)
    }

    /// None of `secrets` in the output, and the program finished or reported the attacker's contained fault.
    func assertContained(_ r: TestSupport.ProcessResult, secrets: [String], _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
        for s in secrets {
            XCTAssertFalse(r.stdout.contains(s) || r.stderr.contains(s), "\(what): '\(s)' in\n\(r.stdout)\(r.stderr)",
                           file: file, line: line)
        }
        XCTAssertTrue(r.status == 0 || r.stderr.contains("bulkhead: compartment 'attacker' faulted"),
                      "\(what): status \(r.status)\n\(r.stdout)\(r.stderr)", file: file, line: line)
    }

    // MARK: class 1: memory inherited at creation

    static let inheritedSecrets = ["VAULT-DATA-SECRET-11", "VAULT-BSS-SECRET-22", "VAULT-HEAP-SECRET-33", "VAULT-STACK-SECRET-44",
                                   "VAULT-FREED-SECRET-55", "VAULT-LARGE-SECRET-66", "MAIN-BSS-SECRET-77"]

    func testMemoryInheritedFromTheConstructorsIsNotInAnotherCompartmentsProcess() throws {
        let program = try build("inherited")
        for mode in ["peek-data", "peek-bss", "peek-main", "selfmem-data", "selfmem-main", "scan"] {
            let r = try TestSupport.run([program, mode])
            assertContained(r, secrets: Self.inheritedSecrets, mode)
            if r.status == 0 { XCTAssertTrue(r.stdout.hasSuffix("vault intact, main intact\n"), mode + ": " + r.stdout) }
        }
    }

    // MARK: class 2: kernel interfaces to another process's memory (also class 3: no syscalls key)

    static let kernelSecrets = ["MAIN-SECRET-1234", "MAIN-CTOR-SECRET-4321", "VAULT-SECRET-5678", "CHANGED"]

    func testNoKernelInterfaceReachesAnotherProcesssMemory() throws {
        let program = try build("kernel")
        for mode in ["procmem-main", "procmem-zygote", "procmem-vault", "vmread-main", "vmread-vault", "ptrace-main", "ptrace-vault"] {
            assertContained(try TestSupport.run([program, mode]), secrets: Self.kernelSecrets, mode)
        }
    }

    func testProcPidMemStaysClosedUnderAnAllowlistWithOpenat() throws {
        let program = try build("kernel") {
            $0.replacingOccurrences(of: "attacker: { libraries: [evil] }",
                                    with: "attacker: { libraries: [evil], syscalls: [openat, getppid, getdents64, pread64, pwrite64] }")
        }
        for mode in ["procmem-main", "procmem-zygote", "procmem-vault"] {
            let r = try TestSupport.run([program, mode])
            assertContained(r, secrets: Self.kernelSecrets, mode)
            XCTAssertTrue(r.stdout.contains("open /proc/"), mode + ": " + r.stdout + r.stderr)   // it got as far as open
        }
    }

    func testACompartmentCannotMakeItsProcessDumpableAgain() throws {
        let r = try TestSupport.run([try build("kernel"), "dumpable"])
        assertContained(r, secrets: ["(now 1)"], "dumpable")
    }

    func testSyscallsUnrestrictedLiftsTheFilterButNotTheRest() throws {
        let kernel = try build("kernel") {
            $0.replacingOccurrences(of: "attacker: { libraries: [evil] }", with: "attacker: { libraries: [evil], syscalls: unrestricted }")
        }
        for mode in ["procmem-main", "procmem-zygote", "procmem-vault", "vmread-main", "ptrace-main"] {
            let r = try TestSupport.run([kernel, mode])
            XCTAssertEqual(r.status, 0, mode + ": " + r.stderr)   // no filter: every call is made, and fails
            assertContained(r, secrets: Self.kernelSecrets, mode)
        }
        let processes = try build("processes") {
            $0.replacingOccurrences(of: "attacker: { libraries: [evil] }", with: "attacker: { libraries: [evil], syscalls: unrestricted }")
        }
        let dir = (processes as NSString).deletingLastPathComponent
        let r = try TestSupport.run([processes, "fork"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("spawn 0: a new process"), r.stdout)   // opted out: it may
        killOutlived(in: dir)
    }

    // MARK: class 8: processes and signals beyond its own

    func testASignalToAProcessOutsideTheProgramIsRefused() throws {
        let program = try build("processes")
        for mode in ["kill", "tgkill", "tkill", "sigio", "sigio-high", "sigqueue"] {
            let sleeper = Process()
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
            sleeper.arguments = ["60"]
            try sleeper.run()
            defer { sleeper.terminate() }
            let r = try TestSupport.run([program, mode, String(sleeper.processIdentifier)])
            assertContained(r, secrets: ["sent"], mode)
            XCTAssertTrue(sleeper.isRunning, mode + ": the sleeper was killed\n" + r.stdout + r.stderr)
        }
    }

    func testNoProcessMadeInACompartmentOutlivesTheProgram() throws {
        let program = try build("processes")
        let dir = (program as NSString).deletingLastPathComponent
        for mode in ["fork", "clone", "clone3"] {
            let r = try TestSupport.run([program, mode], in: dir)
            assertContained(r, secrets: ["a new process"], mode)
            XCTAssertFalse(killOutlived(in: dir), mode + ": a process outlived the program\n" + r.stdout + r.stderr)
        }
    }

    func testACompartmentCannotClearItsParentDeathSignal() throws {
        let program = try build("processes")
        for mode in ["orphan", "orphan-high"] { try assertNoOrphan(program, mode) }
    }

    func testACompartmentCannotMakeAProcessGroupOrSessionOfItsOwn() throws {
        let r = try TestSupport.run([try build("processes"), "group"])
        assertContained(r, secrets: ["a group of its own"], "group")
    }

    func assertNoOrphan(_ program: String, _ mode: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = [mode]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let text = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("attacker ") }),
              let pid = Int32(line.dropFirst("attacker ".count)) else {
            p.waitUntilExit()   // refused: the program ended with the attacker's fault
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(stderr.contains("bulkhead: compartment 'attacker' faulted"), text + stderr)
            return
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        var alive = true
        for _ in 0..<40 where alive {
            usleep(50_000)
            alive = kill(pid, 0) == 0 && !TestSupport.processes(named: "processes").isEmpty
        }
        if alive { kill(pid, SIGKILL) }
        XCTAssertFalse(alive, mode + ": the attacker's process outlived the program: " + text)
    }

    /// Kills the process whose pid the attacker left in dir/outlived.pid; true if it was alive.
    @discardableResult
    func killOutlived(in dir: String) -> Bool {
        let file = dir + "/outlived.pid"
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let alive = kill(pid, 0) == 0 && !stat.contains(") Z ")
        kill(pid, SIGKILL)
        return alive
    }
}
