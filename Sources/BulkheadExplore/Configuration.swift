import BulkheadConfig

/// One point of the design space: a backend, and the compartments with their hardening and allowlists.
/// Libraries that may not be isolated always stay in the default compartment, which is `compartments[0]`;
/// each compartment lists only the isolatable libraries it holds.
public struct Configuration: Hashable, Sendable, Codable {
    public struct Compartment: Hashable, Sendable, Codable {
        public var libraries: [String]
        public var hardening: [Hardening]
        /// The syscall allowlist (process backend), nil: none.
        public var syscalls: [String]?
        /// Its own backend, where it differs from the configuration's (never the default compartment's).
        public var backend: BackendKind?

        public init(libraries: [String], hardening: [Hardening] = [], syscalls: [String]? = nil, backend: BackendKind? = nil) {
            self.libraries = libraries
            self.hardening = Hardening.allCases.filter(hardening.contains)
            self.syscalls = syscalls?.sorted()
            self.backend = backend
        }
    }

    public var backend: BackendKind
    public var compartments: [Compartment]

    public init(backend: BackendKind, compartments: [Compartment]) {
        self.backend = backend
        self.compartments = compartments
    }

    /// The mechanism that protects a compartment: its own backend, else the configuration's.
    public func mechanism(ofCompartment index: Int) -> BackendKind { compartments[index].backend ?? backend }

    /// The strongest mechanism of any compartment (the configuration's backend unless it mixes them).
    public var strongest: BackendKind {
        compartments.indices.map(mechanism(ofCompartment:)).max { SafetyVector.strength($0) < SafetyVector.strength($1) } ?? backend
    }

    /// A short name: `process main+a[sp] | b,c[asan]{sys}`.
    public var label: String {
        let parts = compartments.enumerated().map { i, c -> String in
            var s = i == 0 ? (["main"] + c.libraries).joined(separator: "+") : c.libraries.joined(separator: ",")
            if !c.hardening.isEmpty { s += "[" + c.hardening.map(Self.abbreviation).joined(separator: ",") + "]" }
            if c.syscalls != nil { s += "{sys}" }
            if let b = c.backend { s += "@" + b.rawValue }
            return s
        }
        return backend.rawValue + " " + parts.joined(separator: " | ")
    }

    static func abbreviation(_ h: Hardening) -> String {
        switch h {
        case .asan: return "asan"
        case .ubsan: return "ubsan"
        case .stackProtector: return "sp"
        case .safeStack: return "ss"
        case .cfi: return "cfi"
        case .fortify: return "fort"
        }
    }
}
