import BulkheadConfig
import BulkheadModel

/// The enumerated design space of an explore file over its base annotation file: every configuration, one per
/// distinct place in the safety order, with the order itself. Pure data; nothing is built or run.
public struct Space: Sendable {
    public let spec: ExploreSpec
    /// Every library of the base annotation file, in its order.
    public let libraries: [String]
    /// The libraries that may leave the default compartment, in the explore file's order.
    public let isolatable: [String]
    public let configurations: [Configuration]
    public let order: SafetyOrder

    /// The configuration every ratio budget is measured against: fcall, one compartment, no hardening.
    public var baseline: Configuration {
        Configuration(backend: .fcall, compartments: [.init(libraries: isolatable)])
    }

    public init(spec: ExploreSpec, base: Config) throws {
        self.spec = spec
        libraries = base.libraries.map(\.name.value)
        var sink = DiagnosticSink()
        let known = libraries
        func check(_ name: Located<String>, _ what: String) {
            if !known.contains(name.value) {
                sink.error("\(what) '\(name.value)' is not a library of \(base.displayPath)"
                           + Spelling.didYouMean(name.value, among: known), at: name.location)
            }
        }
        for name in spec.isolate { check(name, "library") }
        for c in spec.syscalls { check(c.library, "library") }
        if !sink.hasErrors, Set(spec.isolate.map(\.value)).count == libraries.count, let first = spec.isolate.first {
            sink.error("every library is listed in 'isolate'; leave at least one in the default compartment",
                       at: first.location)
        }
        for b in spec.backends where b.value == .mpk {
            sink.error("backend 'mpk' is not explored yet: its configurations must be measured on a CPU with protection keys, and explore neither checks for one nor mixes mpk with other backends; use fcall or process",
                       at: b.location)
        }
        try sink.check()
        let isolatable = spec.isolate.map(\.value)
        self.isolatable = isolatable
        let fixed = libraries.filter { !isolatable.contains($0) }
        let configurations = Self.enumerate(spec: spec, isolatable: isolatable, fixed: fixed)
        self.configurations = configurations
        order = SafetyOrder(configurations, isolatable: self.isolatable)
    }

    static func enumerate(spec: ExploreSpec, isolatable: [String], fixed: [String]) -> [Configuration] {
        let allowlists = Dictionary(spec.syscalls.map { ($0.library.value, $0.names.map(\.value)) },
                                    uniquingKeysWith: { a, b in a + b })
        func mayShare(_ a: String, _ b: String) -> Bool {
            guard let groups = spec.together else { return true }
            return groups.contains { g in g.contains { $0.value == a } && g.contains { $0.value == b } }
        }
        var best: [SafetyVector: Configuration] = [:]
        for blocks in partitions(isolatable) {
            if blocks.dropFirst().contains(where: { b in b.contains { x in b.contains { y in x < y && !mayShare(x, y) } } }) {
                continue
            }
            // one backend for every compartment; with `mix_backends`, one per compartment other than the default
            let all = spec.backends.map(\.value)
            let assignments = spec.mixBackends ? product(blocks.indices.map { $0 == 0 ? [all[0]] : all }) : all.map { b in blocks.map { _ in b } }
            for assignment in assignments {
                // a configuration's backend is the weakest its compartments use; a compartment names its own where it differs
                let backend = assignment.dropFirst().min { SafetyVector.strength($0) < SafetyVector.strength($1) } ?? assignment[0]
                var choices: [[Configuration.Compartment]] = []
                for (k, libs) in blocks.enumerated() {
                    let hardening = k == 0 && !spec.hardenDefault ? [Set<Hardening>()] : spec.hardening
                    let members = k == 0 ? fixed + libs : libs
                    let own = k == 0 || assignment[k] == backend ? nil : assignment[k]
                    var lists: [[String]?] = [nil]
                    if (own ?? backend) == .process, members.allSatisfy({ allowlists[$0] != nil }) {
                        lists.append(Array(Set(members.flatMap { allowlists[$0]! })))
                    }
                    choices.append(hardening.flatMap { h in lists.map { Configuration.Compartment(libraries: libs, hardening: Array(h), syscalls: $0, backend: own) } })
                }
                for compartments in product(choices) {
                    let c = Configuration(backend: backend, compartments: compartments)
                    let v = SafetyVector(c, isolatable: isolatable)
                    if let other = best[v], !cheaper(c, than: other) { continue }
                    best[v] = c
                }
            }
        }
        return best.values.sorted { rank($0) < rank($1) }
    }

    /// Of two configurations equally safe, the one kept: fewer compartments, then the weaker mechanism.
    static func cheaper(_ a: Configuration, than b: Configuration) -> Bool {
        (a.compartments.count, SafetyVector.strength(a.strongest), a.label) < (b.compartments.count, SafetyVector.strength(b.strongest), b.label)
    }

    static func rank(_ c: Configuration) -> (Int, Int, Int, String) {
        (SafetyVector.strength(c.strongest), c.compartments.count, c.compartments.reduce(0) { $0 + $1.hardening.count }, c.label)
    }

    /// The set partitions of {default} ∪ items, the default compartment's block first (possibly without items),
    /// every block in item order.
    static func partitions(_ items: [String]) -> [[[String]]] {
        var result: [[[String]]] = []
        func place(_ i: Int, _ blocks: [[String]]) {
            if i == items.count { result.append(blocks); return }
            for k in blocks.indices {
                var b = blocks
                b[k].append(items[i])
                place(i + 1, b)
            }
            place(i + 1, blocks + [[items[i]]])
        }
        place(0, [[]])
        return result
    }

    static func product<T>(_ lists: [[T]]) -> [[T]] {
        lists.reduce([[]]) { acc, list in acc.flatMap { prefix in list.map { prefix + [$0] } } }
    }
}
