import BulkheadCodegen
import BulkheadConfig
import BulkheadDriver
import Foundation
import XCTest

/// What the mpk backend decides when the program is built (no protection keys needed: nothing runs).
final class MpkBuildTests: XCTestCase {
    static let twoCompartments = """
        program: planted
        libraries:
          app: { sources: [app/*.c] }
          lib: { sources: [lib/*.c] }
        compartments:
          main: { libraries: [app], default: true }
          lib:  { libraries: [lib] }

        """

    /// A WRPKRU planted in a compartment's code, as an instruction and inside another instruction's
    /// immediate (`mov $0xef010f, %eax`: B8 0F 01 EF 00), fails the link with its offset and function.
    func testAPlantedWrpkruFailsTheLinkWithItsOffsetAndFunction() throws {
        let dir = try MpkVMTests.write([
            "bulkhead.yaml": Self.twoCompartments,
            "app/main.c": "int lib_work(int);\nint main(void) { return lib_work(1) == 3 ? 0 : 1; }\n",
            "lib/lib.c": """
                int lib_work(int x) { return x + 2; }
                void planted_aligned(void) { __asm__ volatile(".byte 0x0f, 0x01, 0xef"); }
                int planted_inside(void) { int r; __asm__ volatile("mov $0xef010f, %0" : "=r"(r)); return r; }

                """,
        ], name: "mpkplanted")
        let make = try MpkVMTests.build(dir + "/bulkhead.yaml", into: dir + "/tree")
        XCTAssertNotEqual(make.status, 0, "the build must refuse the planted WRPKRU")
        XCTAssertTrue(make.stdout.contains("WRPKRU in planted_aligned+0x") || make.stderr.contains("WRPKRU in planted_aligned+0x"),
                      make.stdout + make.stderr)
        XCTAssertTrue((make.stdout + make.stderr).contains("WRPKRU in planted_inside+0x"), make.stdout + make.stderr)
        XCTAssertTrue((make.stdout + make.stderr).contains(": offset 0x"), make.stdout + make.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/tree/planted"), "the refused program is removed")

        // the same program without the plants builds: the gates' own WRPKRUs are in bh_gate_text
        try "int lib_work(int x) { return x + 2; }\n".write(toFile: dir + "/lib/lib.c", atomically: true, encoding: .utf8)
        let clean = try MpkVMTests.build(dir + "/bulkhead.yaml", into: dir + "/tree2")
        XCTAssertEqual(clean.status, 0, clean.stderr)
        let objdump = try TestSupport.run(["objdump", "-d", "-j", "bh_gate_text", dir + "/tree2/planted"])
        XCTAssertTrue(objdump.stdout.contains("wrpkru"), "the gates write PKRU in their own section")
    }

    func testRestartIsABuildTimeErrorUnderMpk() throws {
        let dir = try MpkVMTests.write([
            "bulkhead.yaml": Self.twoCompartments.replacingOccurrences(of: "lib:  { libraries: [lib] }", with: "lib:  { libraries: [lib], on_fault: restart }"),
            "app/main.c": "int lib_work(int);\nint main(void) { return lib_work(1); }\n",
            "lib/lib.c": "int lib_work(int x) { return x; }\n",
        ], name: "mpkrestart")
        XCTAssertThrowsError(try Pipeline(configPath: dir + "/bulkhead.yaml", backend: .mpk).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("bulkhead.yaml:7:3: error: compartment 'lib': 'on_fault: restart' is not sound under backend 'mpk'"), text)
        }
    }

    func testASyscallAllowlistIsReportedAsNotEnforcedUnderMpk() throws {
        let dir = try MpkVMTests.write([
            "bulkhead.yaml": Self.twoCompartments.replacingOccurrences(of: "lib:  { libraries: [lib] }", with: "lib:  { libraries: [lib], syscalls: [write] }"),
            "app/main.c": "int lib_work(int);\nint main(void) { return lib_work(1); }\n",
            "lib/lib.c": "int lib_work(int x) { return x; }\n",
        ], name: "mpksyscalls")
        let result = try Pipeline(configPath: dir + "/bulkhead.yaml", backend: .mpk).run()
        XCTAssertEqual(result.warnings.map(\.message), ["compartment 'lib': 'syscalls:' is not enforced under backend 'mpk' (one process, one system-call filter: the runtime's); use 'backend: process' for a per-compartment allowlist"])
        XCTAssertEqual(result.warnings.first?.location?.line, 7)
    }

    func testMoreCompartmentsThanKeysIsABuildTimeErrorNamingTheLimit() throws {
        var yaml = "program: many\nbackend: mpk\nlibraries:\n"
        var files: [String: String] = [:]
        for i in 0..<16 {
            yaml += "  l\(i): { sources: [l\(i)/*.c] }\n"
            files["l\(i)/f.c"] = i == 0 ? "int main(void) { return 0; }\n" : "int f\(i)(void) { return \(i); }\n"
        }
        yaml += "compartments:\n" + (0..<16).map { "  c\($0): { libraries: [l\($0)]\($0 == 0 ? ", default: true" : "") }\n" }.joined()
        files["bulkhead.yaml"] = yaml
        let dir = try MpkVMTests.write(files, name: "mpkmany")
        XCTAssertThrowsError(try Pipeline(configPath: dir + "/bulkhead.yaml").run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("bulkhead.yaml:2:10: error: backend 'mpk' gives each compartment a protection key, and there are 15 (keys 1-15); this program has 16 compartments"), text)
        }
    }
}
