import Foundation

/// One configuration ready to build: its annotation file and the hash that names its build and result.
public struct ExploreItem: Sendable, Equatable {
    public var hash: String
    public var configuration: Configuration
    public var yaml: String
    public var label: String { configuration.label }
}

/// What a workload measured: one value per run, and a digest of its output (every run's must be the same).
public struct MetricSample: Codable, Sendable, Equatable {
    public var values: [Double]
    public var outputDigest: String

    public init(values: [Double], outputDigest: String) {
        self.values = values
        self.outputDigest = outputDigest
    }

    public var median: Double {
        let s = values.sorted()
        return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    public var minimum: Double { values.min() ?? .nan }
    public var maximum: Double { values.max() ?? .nan }
}

/// Why a configuration could not be built or measured.
public struct ExploreFailure: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// Builds and measures configurations. The driver's runner writes the tree, runs make and the workload; tests use
/// runners with known costs.
public protocol ExploreRunner: Sendable {
    /// Builds the item (called from several threads at once); throws `ExploreFailure` with the reason.
    func build(_ item: ExploreItem) throws
    /// Runs the workload on the built item, the explore file's number of times (never two at once).
    func measure(_ item: ExploreItem) throws -> MetricSample
}

/// A configuration's stored result, keyed by its hash; valid for the workload whose digest it carries.
public struct StoredResult: Codable, Sendable, Equatable {
    public var version = 1
    public var hash: String
    public var label: String
    public var workload: String
    public var measurement: MetricSample?
    public var failure: String?

    public init(hash: String, label: String, workload: String, measurement: MetricSample?, failure: String?) {
        self.hash = hash
        self.label = label
        self.workload = workload
        self.measurement = measurement
        self.failure = failure
    }
}

/// Where results are kept between runs (and merged from other machines).
public protocol ResultStore: AnyObject, Sendable {
    func load(_ hash: String) -> StoredResult?
    func save(_ result: StoredResult) throws
}

/// Results as `ROOT/HASH/result.json`.
public final class DirectoryStore: ResultStore, @unchecked Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    public func folder(_ hash: String) -> String { root + "/" + hash }

    public func load(_ hash: String) -> StoredResult? {
        guard let data = FileManager.default.contents(atPath: folder(hash) + "/result.json") else { return nil }
        return try? JSONDecoder().decode(StoredResult.self, from: data)
    }

    public func save(_ result: StoredResult) throws {
        try FileManager.default.createDirectory(atPath: folder(result.hash), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(result).write(to: URL(fileURLWithPath: folder(result.hash) + "/result.json"), options: .atomic)
    }
}

/// Results in memory, for tests.
public final class MemoryStore: ResultStore, @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: StoredResult] = [:]
    public init() {}
    public func load(_ hash: String) -> StoredResult? { lock.lock(); defer { lock.unlock() }; return results[hash] }
    public func save(_ result: StoredResult) throws { lock.lock(); results[result.hash] = result; lock.unlock() }
}
