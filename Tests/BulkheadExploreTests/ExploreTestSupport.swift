import BulkheadConfig
import BulkheadExplore
import BulkheadModel
import Foundation

enum ExploreTestSupport {
    static let fixture: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/explore/synthetic"
    }()

    static func base() throws -> (Config, String) {
        let path = fixture + "/bulkhead.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return (try ConfigParser.parse(text: text, path: path, displayPath: "bulkhead.yaml", baseDirectory: fixture), text)
    }

    static func spec(_ text: String? = nil) throws -> ExploreSpec {
        let t = try text ?? String(contentsOfFile: fixture + "/explore.yaml", encoding: .utf8)
        return try ExploreParser.parse(text: t, path: "explore.yaml", displayPath: "explore.yaml", baseDirectory: fixture)
    }

    static func plan(_ text: String? = nil, sources: String = "v1") throws -> ExplorePlan {
        let (config, baseText) = try base()
        let space = try Space(spec: try spec(text), base: config)
        return ExplorePlan(space: space, effective: try EffectiveConfig(text: baseText, base: config, isolatable: space.isolatable),
                           sourcesDigest: sources)
    }
}

/// Costs as the synthetic workload sets them: it calls into a 200000 times, into b 20000 times, into c twice; a
/// call that crosses into a process compartment costs `gate` seconds; each hardening option of a compartment
/// adds a little. Counts builds and measurements.
final class FakeRunner: ExploreRunner, @unchecked Sendable {
    let calls: [String: Double] = ["a": 200_000, "b": 20_000, "c": 2]
    let gate = 1e-6
    let lock = NSLock()
    var built: [String] = []
    var measured: [String] = []
    /// Configurations (by label) that measure this much instead: to make monotonicity fail on purpose.
    var override: [String: Double] = [:]
    var failBuild: Set<String> = []

    func cost(_ c: Configuration) -> Double {
        var t = 0.05
        for (k, comp) in c.compartments.enumerated() {
            for lib in comp.libraries where k > 0 && c.backend == .process { t += calls[lib]! * gate }
            t += Double(comp.hardening.count) * 0.002
        }
        return t
    }

    func build(_ item: ExploreItem) throws {
        lock.lock(); built.append(item.label); lock.unlock()
        if failBuild.contains(item.label) { throw ExploreFailure("make failed: on purpose") }
    }

    func measure(_ item: ExploreItem) throws -> MetricSample {
        lock.lock(); measured.append(item.label); lock.unlock()
        let t = override[item.label] ?? cost(item.configuration)
        return MetricSample(values: [t * 0.99, t, t * 1.01], outputDigest: "same")
    }
}
