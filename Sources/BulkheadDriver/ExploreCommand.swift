import ArgumentParser
import BulkheadCodegen
import BulkheadConfig
import BulkheadExplore
import BulkheadModel
import Foundation

struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the safest configurations (compartments, backend, hardening) that meet a performance budget.")

    enum Emit: String, ExpressibleByArgument, CaseIterable { case githubMatrix = "github-matrix", slurm }

    @Argument(help: "The explore file (explore.yaml).")
    var file: String
    @Option(name: [.customShort("j", allowingJoined: true), .long], help: "Builds at once (measurements are always one at a time).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Where builds and results are kept between runs (default: .bulkhead-explore beside the explore file).")
    var cache: String?
    @Option(name: .shortAndLong, help: "Where the report, the picture and the starred annotation files go (default: explore-out beside the explore file).")
    var output: String?
    @Flag(help: "Measure every configuration (no pruning).")
    var exhaustive = false
    @Flag(help: "Only list the configurations and their hashes; build nothing.")
    var list = false
    @Option(help: "Print the configurations as a GitHub Actions matrix workflow or a Slurm job array.")
    var emit: Emit?
    @Option(help: "Build and measure only this configuration (a job of --emit); needs --results.")
    var only: String?
    @Option(help: "With --only: the folder its result is written to.")
    var results: String?
    @Option(help: "Compute the report from the results in this folder (from --only jobs).")
    var merge: String?

    func validate() throws {
        if only != nil, results == nil { throw ValidationError("--only needs --results DIR") }
        if [only != nil, merge != nil, emit != nil, list].filter({ $0 }).count > 1 {
            throw ValidationError("use at most one of --only, --merge, --emit, --list")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let console = BulkheadCLI.console
        let spec = try ExploreParser.load(path: file)
        let folder = (file as NSString).deletingLastPathComponent
        let basePath = Paths.join(folder.isEmpty ? "." : folder, spec.base.value)
        guard let baseData = FileManager.default.contents(atPath: basePath),
              let baseText = String(data: baseData, encoding: .utf8) else {
            throw DiagnosticError(.error("cannot read the base annotation file '\(basePath)'", at: spec.base.location))
        }
        let baseDirectory = URL(fileURLWithPath: basePath).standardizedFileURL.deletingLastPathComponent().path
        let base = try ConfigParser.parse(text: baseText, path: basePath, displayPath: basePath, baseDirectory: baseDirectory)
        let space = try Space(spec: spec, base: base)
        let effective = try EffectiveConfig(text: baseText, base: base, isolatable: space.isolatable)
        let cacheRoot = Paths.join(FileManager.default.currentDirectoryPath, cache ?? Paths.join(spec.baseDirectory, ".bulkhead-explore"))

        // the program's sources: every file the baseline's translation units read
        var pipeline = Pipeline(configPath: basePath, outputDirectory: cacheRoot)
        pipeline.configText = effective.yaml(space.baseline)
        let units = try pipeline.plan().3
        var files = Set<String>()
        for u in units { files.insert(u.file); files.formUnion(u.files) }
        let digest = files.sorted().map { f in
            "\(Paths.relative(f, to: baseDirectory) ?? f) \(Stamp.hash(Array(FileManager.default.contents(atPath: f) ?? Data())))"
        }.joined(separator: "\n")
        let plan = ExplorePlan(space: space, effective: effective, sourcesDigest: ContentHash.of("bulkhead \(BulkheadCLI.version)\n" + digest))

        if list {
            for i in space.order.bottomUp { console.out("\(plan.items[i].hash)  \(plan.items[i].label)\n") }
            console.out("\(plan.items.count) configurations, \(space.order.covers.count) edges in the safety order\n")
            return
        }
        if let emit {
            console.out(emit == .slurm ? JobArray.slurm(plan, exploreFile: file) : JobArray.githubMatrix(plan, exploreFile: file))
            return
        }
        if plan.allItems.contains(where: { $0.configuration.strongest == .process }), merge == nil {
            try RuntimeInstaller.install(generator: "bulkhead \(BulkheadCLI.version)")
        }
        let runner = ExploreBuildRunner(cache: cacheRoot, basePath: basePath, spec: spec, program: base.program.value)
        if let only {
            guard let item = plan.item(hash: only) else {
                throw DiagnosticError(.error("no configuration of \(file) has the hash '\(only)'; `bulkhead explore \(file) --list` lists them"))
            }
            let store = DirectoryStore(root: results!)
            let outcome = Explorer(plan: plan, runner: runner, store: store, jobs: 1).runOne(item)
            console.out("\(item.hash)  \(item.label): \(Self.describe(outcome))\n")
            return
        }
        let report: ExploreReport
        do {
            if let merge {
                report = try Explorer.merge(plan: plan, store: DirectoryStore(root: merge))
            } else {
                let progress = ExploreProgress(console: console, live: console === Console.standard && isatty(STDERR_FILENO) != 0)
                let explorer = Explorer(plan: plan, runner: runner, store: DirectoryStore(root: cacheRoot), jobs: jobs,
                                        exhaustive: exhaustive, events: progress.handle)
                report = try explorer.run()
                progress.finish()
            }
        } catch let e as ExploreFailure {
            throw DiagnosticError(.error(e.reason, at: SourceLocation(file: file, line: 1, column: 1)))
        }
        var named = report
        named.program = base.program.value
        try write(named, order: space.order, to: output ?? Paths.join(spec.baseDirectory, "explore-out"))
    }

    static func describe(_ o: Outcome) -> String {
        switch o {
        case .measured(let m, _): return String(format: "median %.4g (%.4g-%.4g)", m.median, m.minimum, m.maximum)
        case .failed(let r): return "failed: " + r
        case .pruned: return "pruned"
        }
    }

    func write(_ report: ExploreReport, order: SafetyOrder, to dir: String) throws {
        let console = BulkheadCLI.console
        let fm = FileManager.default
        try? fm.removeItem(atPath: dir + "/starred")
        try fm.createDirectory(atPath: dir + "/starred", withIntermediateDirectories: true)
        try report.json().write(toFile: dir + "/explore.json", atomically: true, encoding: .utf8)
        let dot = OrderGraph.dot(report, order: order)
        try dot.write(toFile: dir + "/explore.dot", atomically: true, encoding: .utf8)
        for (n, e) in report.starred.enumerated() {
            try e.yaml.write(toFile: dir + "/starred/\(n + 1)-\(e.hash).yaml", atomically: true, encoding: .utf8)
        }
        console.out(report.table(order: order))
        let svg = try ExploreBuildRunner.run(["dot", "-Tsvg", "-o", dir + "/explore.svg", dir + "/explore.dot"], in: nil, environment: [:])
        if svg.status != 0 {
            console.err("warning: no picture: Graphviz `dot` failed or is missing (Debian: graphviz); \(dir)/explore.dot is written\n")
        }
        console.out("wrote \(dir)/explore.json, explore.dot\(svg.status == 0 ? ", explore.svg" : "") and \(report.starred.count) starred annotation file(s) under \(dir)/starred/\n")
    }
}

/// Prints what the explorer does: on a terminal one line redrawn in place (a bar, what is built or measured, the
/// time left); otherwise one plain line per build, measurement and pruned configuration.
final class ExploreProgress: @unchecked Sendable {
    let console: Console
    let live: Bool
    var current = ""
    var bar = ""
    var lastDone = -1

    init(console: Console, live: Bool) {
        self.console = console
        self.live = live
    }

    func handle(_ e: ExploreEvent) {
        var line: String?
        switch e {
        case .building(let i): current = "building \(i.label)"; if !live { line = current }
        case .built(let i, let failure?): line = "build failed: \(i.label): \(failure)"
        case .built: break
        case .measuring(let i): current = "measuring \(i.label)"; if !live { line = current }
        case .measured(let i, let o): line = "\(i.label): \(Explore.describe(o))"
        case .reused(let i): line = "cached: \(i.label)"
        case .pruned(let i, let by): line = "pruned: \(i.label) (above \(by.label))"
        case .progress(let done, let total, _, let left):
            let width = 30, filled = total == 0 ? width : done * width / total
            bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total)"
            if let left { bar += ", at most \(Self.duration(left)) left" }
            if !live, done != lastDone { line = bar }
            lastDone = done
        }
        if live {
            if let line { console.err("\r\u{1B}[K" + line + "\n") }
            console.err("\r\u{1B}[K" + bar + "  " + current.prefix(80))
        } else if let line {
            console.err(line + "\n")
        }
    }

    func finish() { if live { console.err("\r\u{1B}[K") } }

    static func duration(_ s: Double) -> String {
        s >= 60 ? "\(Int(s) / 60)m\(String(format: "%02d", Int(s) % 60))s" : "\(Int(s.rounded()))s"
    }
}
