import ArgumentParser
import BulkheadAnalysis
import BulkheadCodegen
import BulkheadConfig
import BulkheadModel
import Foundation

/// The command line. `BulkheadCLI.run` is what the executable calls; tests call it in-process.
public enum BulkheadCLI {
    public static let version = "0.1.0"
    static var console = Console.standard

    /// Exit status: 0 success, 1 a stale tree (`check`), 2 any error.
    public static func run(_ arguments: [String], console: Console = .standard) -> Int32 {
        self.console = console
        do {
            var command = try BulkheadCommand.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let e as DiagnosticError {
            console.report(e.diagnostics)
            return 2
        } catch let e as ExitCode {
            return e.rawValue
        } catch {
            let code = BulkheadCommand.exitCode(for: error)
            let message = BulkheadCommand.fullMessage(for: error)
            if code == .success {
                console.out(message + "\n")
                return 0
            }
            console.err(message + "\n")
            return 2
        }
    }
}

struct BulkheadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulkhead",
        abstract: "Split a C program into compartments at library boundaries, with gates between them.",
        version: BulkheadCLI.version,
        subcommands: [Build.self, Check.self, Graph.self, Explain.self, Suggest.self, Syscalls.self, Explore.self])
}

struct InputOptions: ParsableArguments {
    @Argument(help: "The annotation file (bulkhead.yaml).")
    var file: String

    @Option(help: "Use this backend instead of the annotation file's (fcall, process, mpk).")
    var backend: BackendKind?

    func pipeline(output: String? = nil) -> Pipeline {
        let folder = (file as NSString).deletingLastPathComponent
        BulkheadCLI.console.locationPrefix = folder.isEmpty ? "" : folder + "/"
        return Pipeline(configPath: file, outputDirectory: output, backend: backend)
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the partitioned build tree; `make -C DIR` then builds DIR/<program>.")

    @OptionGroup var input: InputOptions
    @Option(name: .shortAndLong, help: "The folder to write the tree to (replaced as a whole, atomically).")
    var output: String
    @Flag(help: "Also print the plan as JSON.")
    var dumpPlan = false

    func run() throws {
        let result = try input.pipeline(output: output).run()
        BulkheadCLI.console.report(result.warnings)
        if Backends.needsRuntime(result.plan) { try RuntimeInstaller.install(generator: "bulkhead \(BulkheadCLI.version)") }
        try TreeWriter.write(result.tree, to: output)
        if dumpPlan { BulkheadCLI.console.out(String(decoding: result.tree.files["bulkhead.manifest.json"]!, as: UTF8.self)) }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 when regenerating DIR would change nothing, 1 listing stale, missing or extra files, 2 on error.")

    @OptionGroup var input: InputOptions
    @Option(name: .shortAndLong, help: "The tree to check.")
    var output: String

    func run() throws {
        let pipeline = input.pipeline(output: output)
        if try pipeline.isFreshByStamp(output) { return }
        let result = try pipeline.run()
        let diff = TreeWriter.compare(result.tree, with: output, program: result.plan.program)
        if diff.isEmpty { return }
        var lines = diff.stale.map { "stale: \($0)" } + diff.missing.map { "missing: \($0)" } + diff.extra.map { "extra: \($0)" }
        lines.append("\(output) is out of date; run: bulkhead build \(input.file) -o \(output)")
        BulkheadCLI.console.out(lines.joined(separator: "\n") + "\n")
        throw ExitCode(1)
    }
}

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print compartments, libraries and gates as Graphviz DOT.")
    @OptionGroup var input: InputOptions

    func run() throws {
        let (_, plan, _, _) = try input.pipeline().plan()
        BulkheadCLI.console.out(GraphPrinter.dot(plan))
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the plan as JSON: every gate, callback, shared global and shared-stack local with the source location that caused it.")
    @OptionGroup var input: InputOptions

    func run() throws {
        let result = try input.pipeline().run()
        BulkheadCLI.console.report(result.warnings)
        BulkheadCLI.console.out(String(decoding: result.tree.files["bulkhead.manifest.json"]!, as: UTF8.self))
    }
}

struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draft the gates: entries that the process backend needs (strings, buffers and their lengths, out-parameters, counts, results), with reasons and confidences.")
    @OptionGroup var input: InputOptions
    @Flag(help: "Merge the suggestions into the annotation file, as commented lines, keeping what it says.")
    var write = false
    @Flag(help: "Also print suggestions for entries that the file already has.")
    var all = false
    @Flag(help: "Compare the suggestions with the file's own entries: precision and recall.")
    var score = false
    @Option(help: "Leave out suggestions below this confidence (low, medium, high).")
    var minConfidence: String = "low"

    func run() throws {
        var pipeline = input.pipeline()
        pipeline.backend = .process
        let (config, plan, sources, units) = try pipeline.plan()
        guard let floor = Suggestion.Confidence(rawValue: minConfidence) else {
            throw ValidationError("--min-confidence is low, medium or high, not '\(minConfidence)'")
        }
        let suggestions = Suggester(plan: plan, units: units, display: sources.layout.display).suggestions()
            .filter { $0.confidence >= floor }
        if score {
            let s = SuggestionWriter.score(suggestions, config: config)
            BulkheadCLI.console.out(s.report.map { $0 + "\n" }.joined()
                + "score: suggested \(s.suggested) annotated \(s.annotated) same-entry \(s.sameEntry) exact \(s.exact)\n")
            return
        }
        let fresh = all ? suggestions : SuggestionWriter.new(suggestions, config: config)
        guard write else {
            BulkheadCLI.console.out(fresh.isEmpty ? "# nothing to suggest\n" : SuggestionWriter.yaml(fresh))
            return
        }
        guard !fresh.isEmpty else { return }
        let text = try String(contentsOfFile: input.file, encoding: .utf8)
        let merged = SuggestionWriter.merge(fresh, into: text, config: config)
        // the merged file must still be a valid annotation file
        let base = (input.file as NSString).deletingLastPathComponent
        _ = try ConfigParser.parse(text: merged.text, path: input.file, displayPath: (input.file as NSString).lastPathComponent,
                                   baseDirectory: base.isEmpty ? "." : base)
        try merged.text.write(toFile: input.file, atomically: true, encoding: .utf8)
        for f in merged.skipped {
            BulkheadCLI.console.err("\(input.file): note: '\(f)' is written in flow style; add its suggestions by hand (bulkhead suggest prints them)\n")
        }
    }
}

extension BackendKind: ExpressibleByArgument {}
