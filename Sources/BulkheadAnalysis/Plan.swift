import BulkheadModel

/// The partition as data: what every later stage (rewriter, backends, emitter, `explain`, `graph`) reads.
/// No I/O. Paths in locations are relative to the annotation file's folder; `TextSpan`s are absolute.
public struct Plan: Encodable, Sendable {
    public static let version = 1

    public var version = Plan.version
    public var program: String
    public var backend: String
    public var compartments: [Compartment]
    public var libraries: [Library]
    public var gates: [Gate]
    public var callbacks: [Callback]
    public var sharedGlobals: [SharedGlobal]
    public var sharedStackLocals: [StackLocal]
    /// Libraries whose malloc family allocates from the shared heap.
    public var sharedHeap: [String] = []
    /// Text edits to the original files, sorted; not part of the manifest.
    public var edits: [Edit] = []
    /// Findings that do not stop the build (printed by the driver).
    public var warnings: [Diagnostic] = []

    enum CodingKeys: String, CodingKey {
        case version, program, backend, compartments, libraries, gates, callbacks, sharedGlobals, sharedStackLocals, sharedHeap
    }

    public struct Compartment: Encodable, Sendable {
        public var name: String
        public var isDefault: Bool
        public var libraries: [String]
        public var hardening: [String]
        public var syscalls: [String]
        /// "allowlist" (`syscalls` and the runtime's own calls) or "unrestricted" (no filter at all); absent:
        /// the baseline filter only (none in the default compartment)
        public var syscallFilter: String?
        public var onFault: String
        /// true when its read-only data is out of the other compartments' reach too (absent: readable)
        public var privateRodata: Bool?
    }

    public struct Library: Encodable, Sendable {
        public var name: String
        public var compartment: String
        /// Translation units, relative to the annotation file's folder.
        public var sources: [String]
    }

    /// A function entered from another compartment.
    public struct Gate: Encodable, Sendable {
        public var name: String
        public var stub: String
        public var compartment: String
        public var library: String
        public var location: SourceLocation
        public var resultType: String
        public var parameters: [Parameter]
        public var isVariadic: Bool
        public var variadicVia: String?
        /// For a variadic function without `variadicVia`: the promoted types of the `...` arguments that this
        /// gate, specialised to the calls that pass them, forwards (its last parameters, named `...1`, `...2`).
        public var forwarded: [PromotedType]?
        public var errorReturn: String?
        /// How pointer arguments and the result cross address spaces (from `gates:`).
        public var marshalling: [Marshal] = []
        public var result: Marshal?
        /// Call sites and address-taking references from other compartments.
        public var uses: [Use]
        /// Absolute path of the translation unit that defines it (where its stub goes).
        public var definingUnit: String

        enum CodingKeys: String, CodingKey {
            case name, stub, compartment, library, location, resultType, parameters, isVariadic, variadicVia, forwarded,
                 errorReturn, marshalling, result, uses
        }
    }

    public struct Use: Encodable, Sendable, Hashable, Comparable {
        public enum Kind: String, Codable, Sendable { case call, address }
        public var kind: Kind
        public var location: SourceLocation
        public var fromCompartment: String
        public var fromLibrary: String
        public var fromFunction: String?
        public var macro: String?

        public static func < (a: Use, b: Use) -> Bool {
            (a.location, a.kind.rawValue, a.fromCompartment, a.fromLibrary, a.fromFunction ?? "", a.macro ?? "")
                < (b.location, b.kind.rawValue, b.fromCompartment, b.fromLibrary, b.fromFunction ?? "", b.macro ?? "")
        }
    }

    /// A function whose address leaves its compartment: called back through a trampoline.
    public struct Callback: Encodable, Sendable {
        public var name: String
        public var trampoline: String
        public var compartment: String
        public var library: String
        public var location: SourceLocation
        public var isStatic: Bool
        public var resultType: String
        public var parameters: [Parameter]
        /// Where its address is taken and why (`passed to gate X`, `listed in shared.callbacks`...).
        public var references: [Reference]
        public var errorReturn: String?
        public var marshalling: [Marshal] = []
        public var result: Marshal?
        public var definingUnit: String

        enum CodingKeys: String, CodingKey {
            case name, trampoline, compartment, library, location, isStatic, resultType, parameters, references,
                 errorReturn, marshalling, result
        }
    }

    /// One pointer argument (or, without `parameter`, the result) copied across address spaces.
    public struct Marshal: Encodable, Sendable, Hashable {
        public var parameter: String?
        public var direction: String
        public var size: String?
        public var count: String?
        public var isString: Bool
    }

    public struct Reference: Encodable, Sendable, Hashable {
        public var location: SourceLocation
        public var reason: String
    }

    public struct SharedGlobal: Encodable, Sendable {
        public var name: String
        public var library: String
        public var compartment: String
        public var location: SourceLocation
        public var section: String
        public var uses: [SourceLocation]
    }

    /// A local whose address is passed through a gate (moved to a shared stack by backends that need it).
    public struct StackLocal: Encodable, Sendable, Hashable, Comparable {
        public var name: String
        public var function: String?
        public var location: SourceLocation
        public var gate: String
        public var isArray: Bool
        /// Moved to the thread's shared stack by the rewrite (process backend, argument not marshalled).
        public var onSharedStack: Bool = false

        public static func < (a: StackLocal, b: StackLocal) -> Bool {
            (a.location, a.name, a.function ?? "", a.gate, a.isArray ? 1 : 0) < (b.location, b.name, b.function ?? "", b.gate, b.isArray ? 1 : 0)
        }
    }

    public init(program: String, backend: String, compartments: [Compartment], libraries: [Library], gates: [Gate],
                callbacks: [Callback], sharedGlobals: [SharedGlobal], sharedStackLocals: [StackLocal]) {
        self.program = program
        self.backend = backend
        self.compartments = compartments
        self.libraries = libraries
        self.gates = gates
        self.callbacks = callbacks
        self.sharedGlobals = sharedGlobals
        self.sharedStackLocals = sharedStackLocals
    }

    public func compartment(named name: String) -> Compartment? { compartments.first { $0.name == name } }
}

/// One change to an original file: replace `span` (empty for an insertion) with `text`. Insertions at one
/// offset go in `rank` order: whole declarations (rank 0) before a prefix of the declaration there (rank 1).
public struct Edit: Hashable, Codable, Sendable, Comparable {
    public var span: TextSpan
    public var text: String
    public var rank: Int
    public init(span: TextSpan, text: String, rank: Int = 0) {
        self.span = span
        self.text = text
        self.rank = rank
    }
    public static func < (a: Edit, b: Edit) -> Bool { (a.span, a.rank, a.text) < (b.span, b.rank, b.text) }
}
