import BulkheadModel

/// `explore.yaml`, schema 1: the space of configurations that `bulkhead explore` enumerates, the workload that
/// measures each, and the budget a configuration must meet. Names of libraries are checked against the base
/// annotation file by the exploration, which reads that file.
public struct ExploreSpec: Sendable {
    /// The explore file's path as given on the command line.
    public var path: String
    /// Absolute folder of the explore file; `base` and the workload run relative to it.
    public var baseDirectory: String
    public var displayPath: String

    /// The base annotation file (relative to the explore file's folder): everything but `backend` and
    /// `compartments` is taken from it as written.
    public var base: Located<String>
    /// Libraries that may leave the default compartment.
    public var isolate: [Located<String>]
    /// Groups of isolatable libraries that may share a compartment (other than the default one); nil: any may.
    public var together: [[Located<String>]]?
    /// Candidate backends, per build.
    public var backends: [Located<BackendKind>]
    /// Whether compartments of one configuration may use different backends (`mix_backends: true`).
    public var mixBackends = false
    /// Candidate hardening sets; each compartment takes one of them. Always holds at least the empty set.
    public var hardening: [Set<Hardening>]
    public var hardeningLocation: SourceLocation?
    /// Whether the default compartment's hardening varies too (else it has none).
    public var hardenDefault: Bool
    /// Candidate syscall allowlists per library: a compartment whose every library has one may run under the
    /// union of them (process backend), or without an allowlist.
    public var syscalls: [SyscallCandidate]
    public var workload: Workload
    public var budget: Budget

    public init(path: String, baseDirectory: String, displayPath: String, base: Located<String>,
                isolate: [Located<String>], together: [[Located<String>]]?, backends: [Located<BackendKind>],
                hardening: [Set<Hardening>], hardeningLocation: SourceLocation? = nil, hardenDefault: Bool = true,
                syscalls: [SyscallCandidate] = [], workload: Workload, budget: Budget) {
        self.path = path
        self.baseDirectory = baseDirectory
        self.displayPath = displayPath
        self.base = base
        self.isolate = isolate
        self.together = together
        self.backends = backends
        self.hardening = hardening
        self.hardeningLocation = hardeningLocation
        self.hardenDefault = hardenDefault
        self.syscalls = syscalls
        self.workload = workload
        self.budget = budget
    }

    public struct SyscallCandidate: Sendable, Hashable {
        public var library: Located<String>
        public var names: [Located<String>]
        public init(library: Located<String>, names: [Located<String>]) {
            self.library = library
            self.names = names
        }
    }

    public struct Workload: Sendable, Hashable {
        public enum Metric: String, CaseIterable, Sendable, Codable {
            /// The command's wall time, in seconds (lower is better).
            case time
            /// The CPU time (user + system) of the command and every process it waited for, in seconds (lower is
            /// better): steadier than wall time on a machine that other work shares.
            case cpu
            /// The last number the command prints on its standard output.
            case output
        }
        public enum Better: String, CaseIterable, Sendable, Codable { case lower, higher }

        /// Run with `/bin/sh -c` in the explore file's folder; `$BULKHEAD_PROGRAM` is the built executable.
        public var command: Located<String>
        public var runs: Int
        public var metric: Metric
        public var better: Better
        /// Under `metric: time` or `cpu`, each configuration's output must equal the baseline's.
        public var checkOutput: Bool

        public init(command: Located<String>, runs: Int = 5, metric: Metric = .time, better: Better = .lower,
                    checkOutput: Bool = true) {
            self.command = command
            self.runs = runs
            self.metric = metric
            self.better = better
            self.checkOutput = checkOutput
        }
    }

    public struct Budget: Sendable, Hashable {
        public enum Kind: String, CaseIterable, Sendable, Codable {
            /// At most this many times worse than the baseline (the program built with fcall, one compartment).
            case ratio
            /// The metric at most this (lower is better).
            case max
            /// The metric at least this (higher is better).
            case min
        }
        public var kind: Kind
        public var value: Double
        public var location: SourceLocation
        public init(kind: Kind, value: Double, location: SourceLocation) {
            self.kind = kind
            self.value = value
            self.location = location
        }
    }
}
