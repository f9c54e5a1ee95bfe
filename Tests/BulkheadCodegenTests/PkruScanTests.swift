import Foundation
import XCTest

/// The mpk build's binary inspection (Sources/BulkheadCodegen/Templates/Mpk/bh_scan_pkru.c), compiled and run on
/// executables with PKRU-writing bytes planted in their code: aligned, hidden inside another instruction's
/// immediate, and inside an allowed gate section.
final class PkruScanTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testScanFindsPlantedWritersAlignedAndUnalignedAndSkipsAllowedSections() throws {
        let dir = try Self.scratch()
        let scanner = dir + "/scan"
        try Self.sh(["cc", "-O2", "-Wall", "-Werror", "-o", scanner, Self.root.path + "/Sources/BulkheadCodegen/Templates/Mpk/bh_scan_pkru.c"])
        let program = #"""
        #include <stdio.h>
        __attribute__((noinline)) void plain_wrpkru(void) { __asm__ volatile(".byte 0x0f, 0x01, 0xef" ::: "memory"); }
        __attribute__((noinline)) int hidden_wrpkru(void) { int x; __asm__ volatile("movl $0x90ef010f, %0" : "=r"(x)); return x; }
        __attribute__((noinline)) void plain_xrstor(void *p) { __asm__ volatile("xrstor (%0)" :: "r"(p), "a"(-1), "d"(-1) : "memory"); }
        __attribute__((noinline)) void fence(void) { __asm__ volatile("lfence" ::: "memory"); }
        __attribute__((section("bh_mpk_gates"), noinline)) void gate(void) {
            __asm__ volatile("xor %%ecx, %%ecx; xor %%edx, %%edx; xor %%eax, %%eax; .byte 0x0f, 0x01, 0xef" ::: "eax", "ecx", "edx");
        }
        int main(int argc, char **argv) {
            (void)argv;
            if (argc > 5) { plain_wrpkru(); plain_xrstor(0); gate(); }
            fence();
            return hidden_wrpkru() == 1;
        }
        """#
        try program.write(toFile: dir + "/planted.c", atomically: true, encoding: .utf8)
        try Self.sh(["cc", "-O2", "-o", dir + "/planted", dir + "/planted.c"])

        let all = try Self.run(scanner, [dir + "/planted"])
        XCTAssertEqual(all.status, 1, all.output)
        XCTAssertTrue(all.output.contains("section .text): WRPKRU in plain_wrpkru+0x0"), all.output)
        XCTAssertTrue(all.output.contains("section .text): WRPKRU in hidden_wrpkru+0x1"), all.output)   // inside mov's immediate
        XCTAssertTrue(all.output.contains("section .text): XRSTOR in plain_xrstor+"), all.output)
        XCTAssertTrue(all.output.contains("section bh_mpk_gates): WRPKRU in gate+"), all.output)
        XCTAssertFalse(all.output.contains("in fence"), "lfence (0F AE /5 with a register operand) is not XRSTOR: \(all.output)")

        let allowed = try Self.run(scanner, [dir + "/planted", "--allow", "bh_mpk_gates"])
        XCTAssertEqual(allowed.status, 1)
        XCTAssertFalse(allowed.output.contains("bh_mpk_gates"), allowed.output)
        XCTAssertTrue(allowed.output.contains("plain_wrpkru"), allowed.output)

        try "int main(void) { return 0; }\n".write(toFile: dir + "/clean.c", atomically: true, encoding: .utf8)
        try Self.sh(["cc", "-O2", "-o", dir + "/clean", dir + "/clean.c"])
        let clean = try Self.run(scanner, [dir + "/clean"])
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertEqual(clean.output, "")

        let notElf = try Self.run(scanner, [dir + "/clean.c"])
        XCTAssertEqual(notElf.status, 2)
        XCTAssertTrue(notElf.output.contains("not an ELF64 file"), notElf.output)
    }

    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bh-pkru-scan-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func sh(_ argv: [String]) throws {
        let r = try run("/usr/bin/env", argv)
        if r.status != 0 { throw NSError(domain: "bh", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(argv.joined(separator: " ")): \(r.output)"]) }
    }

    /// Runs a program; its stdout and stderr together.
    static func run(_ path: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
