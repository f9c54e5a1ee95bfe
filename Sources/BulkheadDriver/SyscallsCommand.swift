import ArgumentParser
import BulkheadConfig
import BulkheadModel
import Foundation

/// `bulkhead syscalls FILE -- WORKLOAD...`: builds the program (process backend) in its recording variant,
/// runs the workload, and drafts each compartment's `syscalls:` list from what its own code called.
struct Syscalls: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the partitioned program on a workload and draft each compartment's `syscalls:` list from the calls its own code made.",
        discussion: """
            The program is built under the process backend in a variant that records, for every compartment, each \
            system call that an empty allowlist would deny (the runtime's own are allowed anyway), and lets it go \
            on. WORKLOAD is a command; {} in it stands for that program's path (also in $BULKHEAD_PROGRAM); \
            it may start the program any number of times. The lists are printed as YAML to paste; --write puts \
            them into the annotation file.
            """)

    @Argument(help: "The annotation file (bulkhead.yaml).")
    var file: String
    @Option(name: .shortAndLong, help: "Keep the recording build in this folder (default: a temporary folder, removed).")
    var output: String?
    @Flag(help: "Write the drafted lists into the annotation file (each compartment's `syscalls:` replaced or added).")
    var write = false
    @Argument(parsing: .postTerminator, help: "The workload, after `--`; {} is the program's path.")
    var workload: [String] = []

    func validate() throws {
        if workload.isEmpty { throw ValidationError("give the workload after '--', with {} where the program's path goes") }
    }

    func run() throws {
        let fm = FileManager.default
        let temporary = output == nil
        let folder = Paths.join(fm.currentDirectoryPath, output ?? NSTemporaryDirectory() + "bulkhead-syscalls-\(getpid())")
        defer { if temporary { try? fm.removeItem(atPath: folder) } }
        let trace = folder + "/bulkhead-syscalls.trace"
        let prefix = (file as NSString).deletingLastPathComponent
        BulkheadCLI.console.locationPrefix = prefix.isEmpty ? "" : prefix + "/"
        var pipeline = Pipeline(configPath: file, outputDirectory: folder, backend: .process)
        pipeline.syscallTrace = trace
        let result = try pipeline.run()
        BulkheadCLI.console.report(result.warnings)
        try RuntimeInstaller.install(generator: "bulkhead \(BulkheadCLI.version)")
        try TreeWriter.write(result.tree, to: folder)
        let make = try Self.run(["make", "-s", "-j\(ProcessInfo.processInfo.activeProcessorCount)", "-C", folder], capture: true)
        guard make.status == 0 else {
            throw DiagnosticError(.error("building the recording program failed (make -C \(folder)):\n" + make.output.suffix(3000)))
        }
        let program = folder + "/" + result.plan.program
        try? fm.removeItem(atPath: trace)
        let argv = workload.map { $0.replacingOccurrences(of: "{}", with: program) }
        let ran = try Self.run(argv, capture: false, environment: ["BULKHEAD_PROGRAM": program])
        guard ran.status == 0 else {
            throw DiagnosticError(.error("the workload failed (exit status \(ran.status)); nothing drafted"))
        }
        let draft = SyscallDraft(trace: (try? String(contentsOfFile: trace, encoding: .utf8)) ?? "")
        guard draft.runs > 0 else {
            throw DiagnosticError(.error("the workload never started the program; write {} where its path goes (or use $BULKHEAD_PROGRAM)"))
        }
        BulkheadCLI.console.out(draft.yaml(config: result.config, workload: workload.joined(separator: " ")))
        if write { try Self.write(draft.lists(for: result.config.compartments), into: file) }
    }

    /// Puts the lists into the annotation file, keeping the rest as written; the result must still parse.
    static func write(_ lists: [String: [String]], into file: String) throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw DiagnosticError(.error("cannot read annotation file '\(file)'"))
        }
        let name = URL(fileURLWithPath: file).lastPathComponent
        let edited = try AllowlistEditor.apply(lists, to: text, displayPath: name)
        let base = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
        _ = try ConfigParser.parse(text: edited, path: file, displayPath: name, baseDirectory: base)
        do {
            try edited.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw DiagnosticError(.error("cannot write '\(file)': \(error.localizedDescription)"))
        }
        BulkheadCLI.console.err("wrote the drafted lists into \(file)\n")
    }

    /// Runs a command; its output is captured (make) or goes to this process's standard error (the workload,
    /// so that standard output holds only the draft).
    static func run(_ argv: [String], capture: Bool, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        p.standardOutput = capture ? pipe : FileHandle.standardError
        p.standardError = capture ? pipe : FileHandle.standardError
        do {
            try p.run()
        } catch {
            throw DiagnosticError(.error("cannot run '\(argv[0])': \(error.localizedDescription)"))
        }
        let data = capture ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
