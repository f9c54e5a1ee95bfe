import BulkheadAnalysis
import BulkheadCodegen
import BulkheadModel
import Foundation

extension Pipeline {
    /// Whether the stamp in `directory` proves the tree fresh without parsing anything: same generator, same
    /// translation units, every input and every written file unchanged, nothing extra. When this says no,
    /// `check` regenerates in memory and compares, to name the files that differ.
    public func isFreshByStamp(_ directory: String) throws -> Bool {
        let config = try loadConfig()
        let fm = FileManager.default
        guard let data = fm.contents(atPath: directory + "/" + Stamp.fileName),
              let stamp = Stamp.parse(String(decoding: data, as: UTF8.self)),
              stamp.generator == "bulkhead \(BulkheadCLI.version)", stamp.backend == config.backend.value.rawValue else { return false }
        let sources = try SourceDiscovery(config: config, excluded: excludedFolders).discover()
        guard Set(sources.jobs.map { sources.layout.display($0.file) }) == Set(stamp.units) else { return false }
        for (rel, hash) in stamp.inputs {
            guard let bytes = fm.contents(atPath: Paths.join(config.baseDirectory, rel)), Stamp.hash(Array(bytes)) == hash else { return false }
        }
        for (rel, hash) in stamp.outputs {
            guard let bytes = fm.contents(atPath: directory + "/" + rel), Stamp.hash(Array(bytes)) == hash else { return false }
        }
        let present = TreeWriter.files(in: directory, program: config.program.value)
        return Set(present) == Set(stamp.outputs.keys).union([Stamp.fileName])
    }
}
