import BulkheadCodegen
import BulkheadConfig
import BulkheadExplore
import BulkheadModel
import Foundation

/// Builds a configuration for real (its annotation file, `bulkhead build`'s pipeline, `make`) under
/// `CACHE/HASH/`, and runs the workload on it. A folder whose `built` marker names its hash is not built again.
final class ExploreBuildRunner: ExploreRunner, @unchecked Sendable {
    let cache: String
    /// The base annotation file: generated ones are read as if they were it (same folder).
    let basePath: String
    let spec: ExploreSpec
    let program: String

    init(cache: String, basePath: String, spec: ExploreSpec, program: String) {
        self.cache = cache
        self.basePath = basePath
        self.spec = spec
        self.program = program
    }

    func folder(_ item: ExploreItem) -> String { cache + "/" + item.hash }
    func executable(_ item: ExploreItem) -> String { folder(item) + "/tree/" + program }

    func build(_ item: ExploreItem) throws {
        let dir = folder(item), marker = dir + "/built"
        if (try? String(contentsOfFile: marker, encoding: .utf8)) == item.hash,
           FileManager.default.isExecutableFile(atPath: executable(item)) { return }
        try? FileManager.default.removeItem(atPath: marker)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try item.yaml.write(toFile: dir + "/bulkhead.yaml", atomically: true, encoding: .utf8)
            var pipeline = Pipeline(configPath: basePath, outputDirectory: cache)
            pipeline.configText = item.yaml
            let result = try pipeline.run()
            try TreeWriter.write(result.tree, to: dir + "/tree")
        } catch let e as DiagnosticError {
            throw ExploreFailure("bulkhead build: " + e.diagnostics.map(\.description).joined(separator: "; "))
        }
        let make = try ExploreBuildRunner.run(["make", "-s", "-C", dir + "/tree"], in: nil, environment: [:])
        guard make.status == 0 else {
            throw ExploreFailure("make failed: " + Self.tail(make.stderr))
        }
        try item.hash.write(toFile: marker, atomically: true, encoding: .utf8)
    }

    func measure(_ item: ExploreItem) throws -> MetricSample {
        let w = spec.workload
        var values: [Double] = [], digest: String?
        // one run first, not counted: it pays for the cold caches and page faults of a fresh build
        for run in 0...w.runs {
            // nothing else runs meanwhile (builds wait), so the children's CPU time that grows is the workload's
            let t0 = DispatchTime.now().uptimeNanoseconds, cpu0 = Self.childrenCPU()
            let r = try Self.run(["/bin/sh", "-c", w.command.value], in: spec.baseDirectory,
                                 environment: ["BULKHEAD_PROGRAM": executable(item)])
            let seconds = w.metric == .cpu ? Self.childrenCPU() - cpu0 : Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            guard r.status == 0 else {
                throw ExploreFailure("the workload exited with status \(r.status): " + Self.tail(r.stderr))
            }
            switch w.metric {
            case .time, .cpu:
                if run > 0 { values.append(seconds) }
                let d = ContentHash.of(r.stdout)
                if let digest, digest != d, w.checkOutput { throw ExploreFailure("the workload's output changes from run to run") }
                digest = d
            case .output:
                guard let v = Self.lastNumber(r.stdout) else {
                    throw ExploreFailure("the workload printed no number (metric: output reads the last one it prints)")
                }
                if run > 0 { values.append(v) }
                digest = ""
            }
        }
        return MetricSample(values: values, outputDigest: digest ?? "")
    }

    /// User + system time of every child process waited for so far, in seconds.
    static func childrenCPU() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func lastNumber(_ text: String) -> Double? {
        let tokens = text.split(whereSeparator: { " \t\n\r,;:=".contains($0) })
        return tokens.reversed().lazy.compactMap { Double($0) }.first { $0.isFinite }
    }

    static func tail(_ s: String) -> String {
        let lines = s.split(separator: "\n").suffix(4).joined(separator: " / ")
        return lines.isEmpty ? "(nothing on stderr)" : String(lines.suffix(600))
    }

    struct Finished { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ argv: [String], in directory: String?, environment: [String: String]) throws -> Finished {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        (p.standardOutput, p.standardError, p.standardInput) = (out, err, FileHandle.nullDevice)
        do { try p.run() } catch { throw ExploreFailure("cannot run \(argv[0]): \(error)") }
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box(), group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { box.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Finished(status: p.terminationStatus, stdout: String(decoding: box.data, as: UTF8.self),
                        stderr: String(decoding: errData, as: UTF8.self))
    }
}
