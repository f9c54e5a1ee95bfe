@testable import BulkheadCodegen
import Foundation
import XCTest

/// The fixed C that the backends write (Sources/BulkheadCodegen/Templates): embedded current, and each
/// template compiled (or, for a linker script, linked) with cc after its placeholders are filled, so that a
/// broken template fails here rather than in a generated tree.
final class TemplatesTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let folder = root + "/Sources/BulkheadCodegen/Templates"

    func testTheEmbeddedTemplatesAreCurrent() throws {
        var onDisk: [String: String] = [:]
        let walker = FileManager.default.enumerator(atPath: Self.folder)!
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: Self.folder + "/" + rel, isDirectory: &isDir), !isDir.boolValue else { continue }
            onDisk[rel] = try String(contentsOfFile: Self.folder + "/" + rel, encoding: .utf8)
        }
        let stale = "Sources/BulkheadCodegen/Templates+Files.swift or Embedded/ is out of date: run Scripts/gen-templates.sh"
        XCTAssertEqual(Templates.paths, onDisk.keys.sorted(), stale)
        for (path, text) in onDisk { XCTAssertEqual(Templates.files[path], text, "\(path): \(stale)") }
    }

    /// Values for every placeholder a template may have: plausible ones, as the generator fills them.
    static let samples = [
        "PROGRAM": "demo", "COMPARTMENT_COUNT": "1", "GATE_COUNT": "1", "TRACE_FILE": "/tmp/bh \\\"trace\\\"",
        "TRACE_DECLARATION": "", "TRACE_CALL": "", "KIND": "text", "COMPARTMENT": "main", "NOLOAD": "",
        "INPUTS": "*main.o(.text .text.*)",
    ]

    /// What a C template needs before it (it is a piece of a generated file): declarations the rest of that
    /// file makes. The process backend's pieces all follow `#include "bulkhead_runtime.h"`.
    static let context = [
        "Process/bh_program_desc.c": """
            extern char bh_shared_start[], bh_shared_end[];
            static const bh_compartment_desc bh_compartments[1];
            static const bh_gate_desc bh_gates[1];
            """,
        "Process/bh_start.c": "extern const bh_program_desc bh_program;",
    ]

    func testEveryTemplateCompiles() throws {
        let dir = try Self.scratch()
        try RuntimeHeader.text.write(toFile: dir + "/bulkhead_runtime.h", atomically: true, encoding: .utf8)
        for header in ["bh_mpk.h", "bh_mpk_internal.h"] {
            try Templates.render("Mpk/" + header).write(toFile: dir + "/" + header, atomically: true, encoding: .utf8)
        }
        var checked = 0
        for path in Templates.paths where path.hasSuffix(".c") || path.hasSuffix(".h") {
            let values = Dictionary(uniqueKeysWithValues: Templates.placeholders(path).map { ($0, Self.samples[$0]!) })
            let prelude = path.hasPrefix("Process/") ? "#include \"bulkhead_runtime.h\"\n" + (Self.context[path] ?? "") + "\n" : ""
            let file = dir + "/t\(checked).c"
            try (prelude + Templates.render(path, values)).write(toFile: file, atomically: true, encoding: .utf8)
            let r = try Self.sh(["cc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused", "-I", dir, "-c", file, "-o", file + ".o"])
            XCTAssertEqual(r.status, 0, "\(path) does not compile:\n\(r.output)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 5)
    }

    /// The process backend's linker-script pieces, put together as LinkerScript does for one compartment, link
    /// a program whose code lands in that compartment's region, between its start and end symbols.
    func testTheLinkerScriptTemplatesLinkAProgram() throws {
        let dir = try Self.scratch()
        var script = "SECTIONS\n{\n" + Templates.render("Process/bh_region.ld", Self.samples.filter { ["KIND", "COMPARTMENT", "NOLOAD", "INPUTS"].contains($0.key) })
        script += "}\nINSERT BEFORE .text;\n\n" + Templates.render("Process/bh_shared.ld")
        try script.write(toFile: dir + "/t.ld", atomically: true, encoding: .utf8)
        try """
            #include <stdio.h>
            extern char bh_text_main_start[], bh_text_main_end[], bh_shared_start[], bh_shared_end[];
            __attribute__((section("bh_shared.x"))) int x = 42;
            int main(void)
            {
                int inside = (char *)main >= bh_text_main_start && (char *)main < bh_text_main_end;
                int shared = (char *)&x >= bh_shared_start && (char *)&x < bh_shared_end;
                printf("%d %d %d\\n", inside, shared, x);
                return 0;
            }
            """.write(toFile: dir + "/main.c", atomically: true, encoding: .utf8)
        let compile = try Self.sh(["cc", "-c", dir + "/main.c", "-o", dir + "/main.o"])
        XCTAssertEqual(compile.status, 0, compile.output)
        let link = try Self.sh(["cc", dir + "/main.o", "-Wl,-T," + dir + "/t.ld", "-o", dir + "/main"])
        XCTAssertEqual(link.status, 0, link.output)
        let run = try Self.sh([dir + "/main"])
        XCTAssertEqual(run.output, "1 1 42\n")
    }

    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "bh-templates-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func sh(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
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
