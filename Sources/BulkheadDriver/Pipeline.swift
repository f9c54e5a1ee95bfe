import BulkheadAnalysis
import BulkheadCodegen
import BulkheadConfig
import BulkheadFrontend
import BulkheadModel
import Foundation

/// Plan, then write: annotation file -> sources -> facts -> plan -> tree. Nothing here writes a file.
/// Every location in what it returns or throws is relative to the annotation file's folder.
public struct Pipeline {
    public var configPath: String
    /// The output tree's folder, never searched for sources.
    public var outputDirectory: String?

    /// Replaces the annotation file's `backend` (the command line's `--backend`).
    public var backend: BackendKind?
    /// `bulkhead syscalls`: the process backend's program records system calls into this file.
    public var syscallTrace: String?

    /// The annotation file's text, read instead of `configPath`'s (whose folder the paths stay relative to):
    /// `bulkhead explore` builds generated ones.
    public var configText: String?

    public init(configPath: String, outputDirectory: String? = nil, backend: BackendKind? = nil) {
        self.configPath = configPath
        self.backend = backend
        self.outputDirectory = outputDirectory
    }

    public struct Result {
        public var config: Config
        public var plan: Plan
        public var tree: Tree
        public var warnings: [Diagnostic]
    }

    /// The output tree, never searched for sources.
    var excludedFolders: [String] {
        outputDirectory.map { [Paths.join(FileManager.default.currentDirectoryPath, $0)] } ?? []
    }

    public func loadConfig() throws -> Config {
        let name = URL(fileURLWithPath: configPath).lastPathComponent
        // Locations in the annotation file are printed relative to its folder, like every other location.
        guard let text = configText ?? FileManager.default.contents(atPath: configPath).flatMap({ String(data: $0, encoding: .utf8) }) else {
            return try ConfigParser.load(path: configPath)  // reports why it cannot be read
        }
        let base = URL(fileURLWithPath: configPath).standardizedFileURL.deletingLastPathComponent().path
        var config = try ConfigParser.parse(text: text, path: configPath, displayPath: name, baseDirectory: base)
        if let backend {
            // every compartment then uses it
            config.backend.value = backend
            for i in config.compartments.indices { config.compartments[i].backend = nil }
        }
        return config
    }

    public func plan() throws -> (Config, Plan, SourceDiscovery.Result, [TranslationUnitFacts]) {
        let config = try loadConfig()
        if config.backend.value != .mpk, let c = config.compartments.first(where: { $0.gate != nil }), let at = c.gate?.location {
            throw DiagnosticError(.error("compartment '\(c.name.value)': 'gate:' chooses how an mpk gate runs the callee, and this program's backend is '\(config.backend.value.rawValue)'; remove it, or use 'backend: mpk'", at: at))
        }
        if config.backend.value == .mpk {
            // keys 1-15 (key 0 is the shared key); a compartment restarted after a fault would need its memory
            // reset in place while other threads of the one process may hold pointers into it
            let count = config.compartments.count + (config.compartments.contains(where: \.isDefault) ? 0 : 1)
            if count > MpkBackend.maxCompartments {
                throw DiagnosticError(.error("backend 'mpk' gives each compartment a protection key, and there are \(MpkBackend.maxCompartments) (keys 1-15); this program has \(count) compartments (the default one included): merge some, or use 'backend: process'",
                                             at: config.backend.location))
            }
            if let c = config.compartments.first(where: { $0.onFault == .restart }) {
                throw DiagnosticError(.error("compartment '\(c.name.value)': 'on_fault: restart' is not sound under backend 'mpk' (one process: the compartment's memory cannot be reset while other compartments' threads may be inside it or hold its pointers); use 'on_fault: abort' or 'backend: process'",
                                             at: c.name.location))
            }
        }
        // mpk compartments share the main process with its keys; one process of mpk and fcall compartments, or
        // mpk beside process compartments, is not built yet: the program's backend is mpk for all, or for none
        let whole = config.backend.value
        let mixed = config.compartments.compactMap { c in c.backend.flatMap { ($0.value == .mpk) != (whole == .mpk) ? (c.name.value, $0) : nil } }
        guard mixed.isEmpty else {
            throw DiagnosticError(mixed.map { name, b in
                .error("compartment '\(name)' has backend '\(b.value.rawValue)' and the program's backend is '\(whole.rawValue)': mpk cannot be mixed with other backends in one program yet; give every compartment the same kind ('backend: mpk' at the top level and none here, or 'fcall'/'process' throughout)", at: b.location)
            })
        }
        let sources = try SourceDiscovery(config: config, excluded: excludedFolders).discover()
        let layout = sources.layout
        let units: [TranslationUnitFacts]
        do {
            units = try Frontend.parse(sources.jobs)
        } catch let e as DiagnosticError {
            throw DiagnosticError(e.diagnostics.map { d in
                var d = d
                d.location = d.location.map(layout.display)
                return d
            })
        }
        let plan = try Analyzer(config: config, layout: layout, units: units).plan()
        return (config, plan, sources, units)
    }

    public func run() throws -> Result {
        let (config, plan, sources, units) = try plan()
        let generator = "bulkhead \(BulkheadCLI.version)"
        guard let backend = Backends.make(for: plan, generator: generator, syscallTrace: syscallTrace) else {
            throw DiagnosticError(.error("backend '\(plan.backend.rawValue)' is not yet supported", at: config.backend.location))
        }
        let tree = try TreeBuilder(config: config, plan: plan, layout: sources.layout, units: units, jobs: sources.jobs,
                                   backend: backend, generator: generator, readFile: { path in
            guard let d = FileManager.default.contents(atPath: path) else {
                throw DiagnosticError(.error("cannot read '\(path)'"))
            }
            return Array(d)
        }).build()
        // under mpk the whole process has one filter (the runtime's): a compartment's allowlist is not enforced
        let unenforced = config.backend.value != .mpk ? [] : config.compartments.filter { $0.syscallFilter != .baseline }.map { c in
            Diagnostic.warning("compartment '\(c.name.value)': 'syscalls:' is not enforced under backend 'mpk' (one process, one system-call filter: the runtime's); use 'backend: process' for a per-compartment allowlist",
                               at: c.syscalls.first?.location ?? c.name.location)
        }
        return Result(config: config, plan: plan, tree: tree, warnings: plan.warnings + unenforced)
    }
}
