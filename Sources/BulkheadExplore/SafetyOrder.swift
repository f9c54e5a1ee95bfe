import BulkheadConfig

/// The partial safety order over configurations (docs/architecture.md, "Exploring configurations").
///
/// A configuration is read as a vector over its *units*: the isolatable libraries and the default compartment's
/// fixed libraries (one unit). For each pair of units, the strength that keeps them apart (0 in one compartment;
/// across compartments the mechanism's strength: process 2, mpk 1, fcall 0, and with mixed mechanisms process if
/// either side is a process compartment, else the weaker of the two); for each unit, its hardening set and its
/// syscall allowlist (none = every syscall). `a <= b` when b keeps every pair apart at least as strongly, hardens
/// every unit with a superset, and allows every unit a subset of what a allows it.
public struct SafetyVector: Hashable, Sendable {
    public var separation: [Int]
    public var hardening: [Set<Hardening>]
    public var syscalls: [Set<String>?]

    public init(_ c: Configuration, isolatable: [String]) {
        let units = ["" /* the default compartment's fixed libraries */] + isolatable
        var compartmentOf: [Int] = units.map { _ in 0 }
        for (k, comp) in c.compartments.enumerated() {
            for lib in comp.libraries { if let u = units.firstIndex(of: lib) { compartmentOf[u] = k } }
        }
        separation = []
        for i in units.indices {
            for j in units.indices where j > i {
                let a = compartmentOf[i], b = compartmentOf[j]
                separation.append(a == b ? 0 : Self.separation(c.mechanism(ofCompartment: a), c.mechanism(ofCompartment: b)))
            }
        }
        hardening = units.indices.map { Set(c.compartments[compartmentOf[$0]].hardening) }
        syscalls = units.indices.map { u in
            let comp = c.compartments[compartmentOf[u]]
            // an allowlist is enforced by the process backend only
            return c.mechanism(ofCompartment: compartmentOf[u]) == .process ? comp.syscalls.map(Set.init) : nil
        }
    }

    public static func strength(_ b: BackendKind) -> Int {
        switch b {
        case .fcall: return 0
        case .mpk: return 1
        case .process: return 2
        }
    }

    /// How strongly two different compartments are kept apart: different processes whenever either one has a
    /// process of its own; within one process, by the weaker of the two mechanisms.
    public static func separation(_ a: BackendKind, _ b: BackendKind) -> Int {
        a == .process || b == .process ? strength(.process) : min(strength(a), strength(b))
    }

    public static func <= (a: SafetyVector, b: SafetyVector) -> Bool {
        for (x, y) in zip(a.separation, b.separation) where x > y { return false }
        for (x, y) in zip(a.hardening, b.hardening) where !x.isSubset(of: y) { return false }
        for (x, y) in zip(a.syscalls, b.syscalls) {
            guard let y else { if x != nil { return false } else { continue } }
            guard let x else { continue }
            if !y.isSubset(of: x) { return false }
        }
        return true
    }
}

/// The order over an enumerated space, as data: which configuration lies below which, and the covering edges
/// (the Hasse diagram) that the picture draws.
public struct SafetyOrder: Sendable {
    public let configurations: [Configuration]
    let vectors: [SafetyVector]
    /// below[i]: indices strictly below configuration i.
    public let below: [[Int]]
    /// above[i]: indices strictly above configuration i.
    public let above: [[Int]]
    /// (lower, upper) pairs with nothing between them.
    public let covers: [(Int, Int)]

    public init(_ configurations: [Configuration], isolatable: [String]) {
        self.configurations = configurations
        let v = configurations.map { SafetyVector($0, isolatable: isolatable) }
        vectors = v
        let n = v.count
        var less = [[Bool]](repeating: [Bool](repeating: false, count: n), count: n)
        for i in 0..<n { for j in 0..<n where i != j && v[i] <= v[j] { less[i][j] = true } }
        below = (0..<n).map { j in (0..<n).filter { less[$0][j] } }
        above = (0..<n).map { i in (0..<n).filter { less[i][$0] } }
        var covers: [(Int, Int)] = []
        for j in 0..<n {
            for i in below[j] where !above[i].contains(where: { less[$0][j] }) { covers.append((i, j)) }
        }
        self.covers = covers
    }

    public func lessOrEqual(_ i: Int, _ j: Int) -> Bool { vectors[i] <= vectors[j] }

    /// Indices in an order where everything below a configuration comes before it.
    public var bottomUp: [Int] {
        configurations.indices.sorted { (below[$0].count, $0) < (below[$1].count, $1) }
    }
}
