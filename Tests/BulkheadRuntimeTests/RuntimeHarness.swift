// RuntimeHarness.swift: builds small C programs that play the generated code's part, links them with the
// runtime's static library exactly as a partitioned program is linked, runs them with no environment, and
// returns their output and exit status.
//
// The library: $BULKHEAD_RUNTIME_LIB if set; else libBulkheadRuntime.a next to this test bundle (what
// `swift build --product BulkheadRuntime` leaves in the same scratch folder) when it is newer than every
// runtime source; else the runtime is compiled here from its sources with swiftc and cc (a `swift build`
// inside `swift test` would wait for SwiftPM's lock on the scratch folder).

import Foundation
import XCTest

struct RunResult {
    var status: Int32          // exit status; 128 + n for death by signal n
    var signaled: Bool
    var stdout: String
    var stderr: String
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}

enum Harness {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let includeDir = packageRoot.appendingPathComponent("Sources/CBulkheadRuntime/include").path

    static let toolchainUsr: String = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("swiftc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().path
            }
        }
        return "/opt/swift/usr"
    }()
    static var swiftStatic: String { toolchainUsr + "/lib/swift_static/linux" }

    /// The link line's tail after the program's objects: what a partitioned program needs. With
    /// -Wl,--wrap=main the runtime starts the processes when main() is entered, after every constructor.
    static func linkTail(_ lib: String, wrapMain: Bool = true) -> [String] {
        (wrapMain ? ["-Wl,--wrap=main"] : [])
            + [lib, swiftStatic + "/x86_64/swiftrt.o", "-L" + swiftStatic, "-lswiftCore", "-lseccomp", "-ldl",
               "-lpthread", "-lstdc++", "-lm"]
    }

    static let work: URL = {
        let tmp = FileManager.default.temporaryDirectory
        for old in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where old.hasPrefix("bh-rt-tests-") {
            if let pid = Int32(old.dropFirst("bh-rt-tests-".count)), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(at: tmp.appendingPathComponent(old))  // from a finished run
            }
        }
        let u = tmp.appendingPathComponent("bh-rt-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }()

    private static let lock = NSLock()
    private static var cachedLib: String?

    static func library() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let l = cachedLib { return l }
        let l = try findOrBuildLibrary()
        cachedLib = l
        return l
    }

    private static func newestSourceDate() -> Date {
        var newest = Date.distantPast
        for sub in ["Sources/BulkheadRuntime", "Sources/CBulkheadRuntime", "Sources/CBulkheadRuntime/include"] {
            let dir = packageRoot.appendingPathComponent(sub)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
                let attrs = try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)
                if let d = attrs?[.modificationDate] as? Date, d > newest { newest = d }
            }
        }
        return newest
    }

    private static func modDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    private static func findOrBuildLibrary() throws -> String {
        if let env = ProcessInfo.processInfo.environment["BULKHEAD_RUNTIME_LIB"], !env.isEmpty { return env }
        let newest = newestSourceDate()
        let bundleDir = Bundle.main.bundleURL.path
        let next = bundleDir + "/libBulkheadRuntime.a"
        if let d = modDate(next), d >= newest { return next }
        // compile from the sources
        let out = work.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let modmap = out.appendingPathComponent("module.modulemap")
        try "module CBulkheadRuntime {\n  umbrella \"\(includeDir)\"\n  export *\n}\n"
            .write(to: modmap, atomically: true, encoding: .utf8)
        var objects: [String] = []
        let cdir = packageRoot.appendingPathComponent("Sources/CBulkheadRuntime")
        for name in try FileManager.default.contentsOfDirectory(atPath: cdir.path).sorted() where name.hasSuffix(".c") {
            let obj = out.appendingPathComponent(name + ".o").path
            try check(shell(["cc", "-c", "-O1", "-g", "-fPIC", "-I", includeDir, cdir.appendingPathComponent(name).path,
                             "-o", obj]), "compiling \(name)")
            objects.append(obj)
        }
        let sdir = packageRoot.appendingPathComponent("Sources/BulkheadRuntime")
        let swiftFiles = try FileManager.default.contentsOfDirectory(atPath: sdir.path).sorted()
            .filter { $0.hasSuffix(".swift") }.map { sdir.appendingPathComponent($0).path }
        let sobj = out.appendingPathComponent("BulkheadRuntime.o").path
        try check(shell([toolchainUsr + "/bin/swiftc", "-parse-as-library", "-wmo", "-emit-object", "-module-name",
                         "BulkheadRuntime", "-Xcc", "-fmodule-map-file=" + modmap.path, "-I", includeDir, "-o", sobj]
                        + swiftFiles), "compiling the Swift runtime")
        objects.append(sobj)
        let lib = out.appendingPathComponent("libBulkheadRuntime.a").path
        try? FileManager.default.removeItem(atPath: lib)
        try check(shell(["ar", "rcs", lib] + objects), "archiving")
        return lib
    }

    /// The C support header every test program includes.
    static let supportHeader = #"""
    #include "bulkhead_runtime.h"
    #include <errno.h>
    #include <fcntl.h>
    #include <pthread.h>
    #include <stdint.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <unistd.h>

    /* a function of compartment k: in the page-aligned section bh_text_k (pad.c aligns its end) */
    #define IN(k) __attribute__((section("bh_text_" #k), noinline, used))
    extern char __start_bh_text_1[] __attribute__((weak)), __stop_bh_text_1[] __attribute__((weak));
    extern char __start_bh_text_2[] __attribute__((weak)), __stop_bh_text_2[] __attribute__((weak));
    #define TEXT_REGION(k) ((bh_region){(uintptr_t)__start_bh_text_##k, (uintptr_t)__stop_bh_text_##k})
    /* a page-aligned, page-sized object as a region */
    #define PAGE(decl) decl __attribute__((aligned(4096)))
    #define OBJ_REGION(o) ((bh_region){(uintptr_t)&(o), (uintptr_t)&(o) + sizeof(o)})
    #define NEW_FRAME(T) ((T *)bh_stack_alloc(sizeof(T), _Alignof(T)))
    /* a frame for gate G: in the memory the caller shares with G's compartment alone */
    #define GATE_FRAME(T, G) ((T *)bh_frame_alloc((G), sizeof(T), _Alignof(T)))
    #define COUNT(a) ((int32_t)(sizeof(a) / sizeof((a)[0])))
    #define START(NAME, COMPS, GATES) do { \
        static bh_program_desc p_; \
        p_.abi_version = BH_ABI_VERSION; p_.program = NAME; \
        p_.ncompartments = COUNT(COMPS); p_.compartments = COMPS; \
        p_.ngates = COUNT(GATES); p_.gates = GATES; \
        bh_runtime_start(&p_); } while (0)
    """#

    static let padSource = """
    __asm__(".section bh_text_1,\\"ax\\",@progbits\\n.balign 4096\\n.previous\\n"
            ".section bh_text_2,\\"ax\\",@progbits\\n.balign 4096\\n.previous\\n");
    """

    /// Compiles and links `source` (a C program including "bht.h"); returns the executable's path.
    static func build(_ name: String, _ source: String, wrapMain: Bool = true) throws -> String {
        let lib = try library()
        let dir = work.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try supportHeader.write(to: dir.appendingPathComponent("bht.h"), atomically: true, encoding: .utf8)
        try padSource.write(to: dir.appendingPathComponent("pad.c"), atomically: true, encoding: .utf8)
        try source.write(to: dir.appendingPathComponent(name + ".c"), atomically: true, encoding: .utf8)
        let d = dir.path
        try check(shell(["cc", "-O1", "-g", "-c", "-I", includeDir, "-I", d, d + "/" + name + ".c", "-o", d + "/prog.o"]),
                  "compiling \(name).c")
        try check(shell(["cc", "-c", d + "/pad.c", "-o", d + "/pad.o"]), "compiling pad.c")
        let exe = d + "/" + name
        try check(shell(["cc", "-o", exe, d + "/prog.o", d + "/pad.o"] + linkTail(lib, wrapMain: wrapMain)),
                  "linking \(name)")
        return exe
    }

    @discardableResult
    static func shell(_ argv: [String]) throws -> RunResult {
        try run(argv[0].hasPrefix("/") ? argv[0] : "/usr/bin/env", argv[0].hasPrefix("/") ? Array(argv.dropFirst()) : argv,
                environment: ProcessInfo.processInfo.environment, timeout: 600)
    }

    static func check(_ r: RunResult, _ what: String) throws {
        if r.status != 0 { throw NSError(domain: "bh", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(what) failed: \(r.stderr)"]) }
    }

    /// Runs a program with no environment; kills it after `timeout` seconds (then status is 128 + 9).
    static func run(_ path: String, _ args: [String] = [], environment: [String: String] = [:],
                    timeout: Double = 60, onStart: ((Process, FileHandle) -> Void)? = nil) throws -> RunResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let outData = DataBox(), errData = DataBox()
        let group = DispatchGroup()
        try p.run()
        if let onStart = onStart {
            onStart(p, out.fileHandleForReading)
        }
        group.enter()
        DispatchQueue.global().async { outData.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(2000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        let signaled = p.terminationReason == .uncaughtSignal
        return RunResult(status: signaled ? 128 + p.terminationStatus : p.terminationStatus, signaled: signaled,
                         stdout: String(decoding: outData.data, as: UTF8.self), stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Whether process `pid` is gone (a zombie counts as gone: it runs no code).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return true }
        let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
        return rest.hasPrefix("Z") || rest.hasPrefix("X")
    }
}
