import BulkheadDriver
import Foundation
import XCTest

/// Paths, processes and temporary folders for the tests.
enum TestSupport {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let fixtures = repositoryRoot + "/Fixtures"

    /// Folders of Fixtures/ that hold a program (a bulkhead.yaml), errors/ excluded (and suggest/, the input of
    /// SuggestTests), or those listed in `BULKHEAD_FIXTURES` (comma-separated), to run a few alone.
    static func programFixtures() -> [String] {
        let names = ProcessInfo.processInfo.environment["BULKHEAD_FIXTURES"].map { $0.split(separator: ",").map(String.init) }
            ?? (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        return names.sorted().filter { $0 != "errors" && $0 != "real" && $0 != "process" && $0 != "suggest" && FileManager.default.fileExists(atPath: "\(fixtures)/\($0)/bulkhead.yaml") }
    }

    static func temporaryDirectory(_ name: String = #function) throws -> String {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        let dir = NSTemporaryDirectory() + "bulkhead-tests/\(clean)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o1777)  // as /tmp: run as root, a compartment is nobody, and creates its files here too
        return dir
    }

    /// Copies a fixture to a fresh folder (without its expected trees) and returns the copy's folder;
    /// `@FIXTURE@` in its files becomes the copy's absolute folder.
    static func copyFixture(_ path: String) throws -> String {
        let dest = try temporaryDirectory(URL(fileURLWithPath: path).lastPathComponent) + "/program"
        try FileManager.default.copyItem(atPath: path, toPath: dest)
        try? FileManager.default.removeItem(atPath: dest + "/expected")
        if let walker = FileManager.default.enumerator(atPath: dest) {
            while let rel = walker.nextObject() as? String {
                let p = dest + "/" + rel
                guard let text = try? String(contentsOfFile: p, encoding: .utf8), text.contains("@FIXTURE@") else { continue }
                try text.replacingOccurrences(of: "@FIXTURE@", with: dest).write(toFile: p, atomically: true, encoding: .utf8)
            }
        }
        return dest
    }

    struct ProcessResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ argv: [String], in directory: String? = nil) throws -> ProcessResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // read both pipes while the process runs so that neither fills up
        final class Box { var data = Data() }
        let outBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let outData = outBox.data
        p.waitUntilExit()
        return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the CLI in-process; returns status, stdout, stderr.
    static func cli(_ args: [String]) -> ProcessResult {
        let (console, out, err) = Console.capturing()
        let status = BulkheadCLI.run(args, console: console)
        return ProcessResult(status: status, stdout: out(), stderr: err())
    }

    /// Every regular file below a folder, relative path -> bytes.
    static func snapshot(_ dir: String) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return files }
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir)
            if !isDir.boolValue { files[rel] = FileManager.default.contents(atPath: dir + "/" + rel) }
        }
        return files
    }
}
