import BulkheadAnalysis
import BulkheadConfig
import BulkheadModel
import Foundation

/// The partitioned build tree, in memory: relative path -> bytes. Writing it is the emitter's job.
public struct Tree: Sendable {
    public var files: [String: [UInt8]]
    public init(files: [String: [UInt8]] = [:]) { self.files = files }
    public var paths: [String] { files.keys.sorted() }
}

/// Builds the tree from the plan: rewritten copies of the program's files under `src/`, the stubs appended to
/// the units that define their functions, a Makefile, compile_commands.json and the manifest.
public struct TreeBuilder {
    public var config: Config
    public var plan: Plan
    public var layout: ProgramLayout
    public var units: [TranslationUnitFacts]
    /// The arguments each unit was parsed with (compile_commands' flags, then cflags, then the library's).
    public var jobs: [CompileJob]
    public var backend: Backend
    public var readFile: (String) throws -> [UInt8]
    /// Written into the stamp, so that a newer bulkhead regenerates.
    public var generator: String

    public init(config: Config, plan: Plan, layout: ProgramLayout, units: [TranslationUnitFacts], jobs: [CompileJob],
                backend: Backend, generator: String, readFile: @escaping (String) throws -> [UInt8]) {
        self.generator = generator
        self.config = config
        self.plan = plan
        self.layout = layout
        self.units = units
        self.jobs = jobs
        self.backend = backend
        self.readFile = readFile
    }

    public static let sourceFolder = "src"
    public static let objectFolder = "obj"
    public static let manifestName = "bulkhead.manifest.json"

    public func build() throws -> Tree {
        var tree = Tree()
        let base = layout.baseDirectory
        var copied = Set<String>()
        var inputs: [String: String] = [:]
        for extra in [config.path] + (config.compileCommands.map { [Paths.join(base, $0.value)] } ?? []) {
            let abs = Paths.join(FileManager.default.currentDirectoryPath, extra)
            if let rel = Paths.relative(abs, to: base) { inputs[rel] = Stamp.hash((try? readFile(abs)) ?? []) }
        }
        for u in units {
            copied.insert(u.file)
            for f in u.files where Paths.relative(f, to: base) != nil { copied.insert(Paths.normalize(f)) }
        }
        let editsByFile = Dictionary(grouping: plan.edits, by: { Paths.normalize($0.span.file) })
        var sink = DiagnosticSink()
        for file in editsByFile.keys.sorted() where !copied.contains(file) || Paths.relative(file, to: base) == nil {
            sink.error("'\(file)' must be rewritten (it spells a gated name) but lies outside the annotation file's folder '\(base)'; move the annotation file up to a folder that holds it")
        }
        for job in jobs where Paths.relative(job.directory, to: base) == nil {
            sink.error("translation unit '\(layout.display(job.file))' is compiled in '\(job.directory)', outside the annotation file's folder")
        }
        try sink.check()
        let unitFiles = Set(units.map(\.file))
        for file in copied.sorted() {
            let rel = Paths.relative(file, to: base)!
            var bytes: [UInt8]
            do { bytes = try readFile(file) } catch {
                throw DiagnosticError(.error("cannot read '\(rel)': \(error.localizedDescription)"))
            }
            inputs[rel] = Stamp.hash(bytes)
            bytes = try TextEditor.apply(editsByFile[file] ?? [], to: bytes, file: rel)
            if unitFiles.contains(file) { bytes += Array(backend.code(appendedTo: file, plan: plan).utf8) }
            tree.files["\(Self.sourceFolder)/\(rel)"] = bytes
        }
        let compiles = compileSteps()
        tree.files["Makefile"] = Array(makefile(compiles).utf8)
        tree.files["compile_commands.json"] = Array(compileCommands(compiles).utf8)
        tree.files[Self.manifestName] = try manifest()
        let objects = compiles.map { (object: $0.object, compartment: $0.compartment) }
        for (path, text) in backend.extraFiles(plan: plan, objects: objects) { tree.files[path] = Array(text.utf8) }
        let stamp = Stamp(generator: generator, backend: plan.backend.rawValue, inputs: inputs, units: units.map { layout.display($0.file) },
                          outputs: tree.files.mapValues(Stamp.hash))
        tree.files[Stamp.fileName] = Array(stamp.render().utf8)
        return tree
    }

    // MARK: Compile steps

    struct CompileStep {
        var unit: String           // relative to base
        var directory: String      // relative to base
        var arguments: [String]    // remapped, hardening included
        var object: String         // relative to the tree root
        var compartment: String
        var library: String
        var dependencies: [String] // tree paths
    }

    func compileSteps() -> [CompileStep] {
        let base = layout.baseDirectory
        let facts = Dictionary(uniqueKeysWithValues: units.map { ($0.file, $0) })
        return jobs.map { job in
            let unit = layout.display(job.file)
            let dir = Paths.relative(job.directory, to: base) ?? "."
            let library = layout.libraryOfUnit[job.file] ?? ""
            let compartment = layout.compartmentOfLibrary[library] ?? ""
            let hardening = plan.compartment(named: compartment)?.hardening ?? []
            let cd = dir == "." ? Self.sourceFolder : "\(Self.sourceFolder)/\(dir)"
            let args = job.arguments.map { remap($0, directory: dir) } + backend.compileFlags(compileFolder: cd)
                + hardening.flatMap { HardeningFlags.compile($0) }
            let stem = unit.hasSuffix(".c") ? String(unit.dropLast(2)) : unit
            let deps = (facts[job.file]?.files ?? [job.file]).compactMap { Paths.relative($0, to: base) }
                .map { "\(Self.sourceFolder)/\($0)" }
            return CompileStep(unit: unit, directory: dir, arguments: args, object: "\(Self.objectFolder)/\(stem).o",
                               compartment: compartment, library: library, dependencies: Array(Set(deps)).sorted())
        }.sorted { $0.unit < $1.unit }
    }

    /// Absolute paths into the program's folder become relative to the unit's compile folder, so the tree
    /// holds no path of the machine that made it.
    func remap(_ arg: String, directory: String) -> String {
        let prefixes = ["-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", ""]
        for p in prefixes where arg.hasPrefix(p + "/") {
            let path = String(arg.dropFirst(p.count))
            if let rel = Paths.relative(path, to: layout.baseDirectory) {
                return p + Self.relativePath(from: directory, to: rel)
            }
        }
        return arg
    }

    static func relativePath(from dir: String, to target: String) -> String {
        let d = dir == "." ? [] : dir.split(separator: "/").map(String.init)
        let t = target == "." ? [] : target.split(separator: "/").map(String.init)
        var i = 0
        while i < d.count, i < t.count, d[i] == t[i] { i += 1 }
        let parts = Array(repeating: "..", count: d.count - i) + t[i...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// The sanitizer runtimes the compartments' hardening needs, once each.
    func hardeningLinkFlags() -> [String] {
        var extra: [String] = []
        for c in plan.compartments {
            for h in c.hardening { for f in HardeningFlags.link(h) where !extra.contains(f) { extra.append(f) } }
        }
        return extra
    }
}
