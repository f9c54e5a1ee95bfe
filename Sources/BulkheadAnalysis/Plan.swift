import BulkheadConfig
import BulkheadModel

/// The partition as data: what every later stage (rewriter, backends, emitter, `explain`, `graph`) reads.
/// No I/O. Paths in locations are relative to the annotation file's folder; `TextSpan`s are absolute.
public struct Plan: Encodable, Sendable {
    public static let version = 1

    public var version = Plan.version
    public var program: String
    /// The annotation file's `backend:`: the default of every compartment that names none.
    public var backend: BackendKind
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
        /// Its isolation mechanism, and what the analysis needs to know of it.
        public var backend: BackendKind
        public var traits: BackendTraits { backend.traits }
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
        /// mpk: the callee runs on a stack of its own (`gate: private`); not in the manifest.
        public var privateStack = false

        /// Set by the plan: whether `backend` differs from the plan's, and so is written to the manifest.
        var ownBackend = false

        enum CodingKeys: String, CodingKey {
            case name, backend, isDefault, libraries, hardening, syscalls, syscallFilter, onFault, privateRodata
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            if ownBackend { try c.encode(backend, forKey: .backend) }
            try c.encode(isDefault, forKey: .isDefault)
            try c.encode(libraries, forKey: .libraries)
            try c.encode(hardening, forKey: .hardening)
            try c.encode(syscalls, forKey: .syscalls)
            try c.encodeIfPresent(syscallFilter, forKey: .syscallFilter)
            try c.encode(onFault, forKey: .onFault)
            try c.encodeIfPresent(privateRodata, forKey: .privateRodata)
        }
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
        /// The mechanism of the crossing: the backend of the compartment it enters.
        public var backend: BackendKind
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
        /// The mechanism of the crossing: the backend of the compartment it enters.
        public var backend: BackendKind
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

    public init(program: String, backend: BackendKind, compartments: [Compartment], libraries: [Library], gates: [Gate],
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

    /// The backend of a compartment (the plan's default for a name it does not know).
    public func backend(of compartment: String) -> BackendKind { self.compartment(named: compartment)?.backend ?? backend }

    /// The process a compartment runs in: nil for the main process (BackendKind.process(of:)).
    public func process(of compartment: String) -> String? {
        BackendKind.process(of: compartment, backend(of: compartment), isDefault: self.compartment(named: compartment)?.isDefault ?? false)
    }

    /// Whether two compartments run in one address space (one process).
    public func shareAddressSpace(_ a: String, _ b: String) -> Bool { process(of: a) == process(of: b) }
}

/// One change to an original file: replace `span` (empty for an insertion) with what `content` says, which
/// codegen spells in C (EditText). Insertions at one offset go in `rank` order: whole declarations (rank 0)
/// before a prefix of the declaration there (rank 1).
public struct Edit: Hashable, Codable, Sendable {
    public var span: TextSpan
    public var content: EditContent
    public var rank: Int
    public init(span: TextSpan, _ content: EditContent, rank: Int = 0) {
        self.span = span
        self.content = content
        self.rank = rank
    }
}

/// What an edit writes, as data: the analysis decides it, codegen writes the C (Sources/BulkheadCodegen/EditText.swift).
public enum EditContent: Hashable, Codable, Sendable {
    /// A name in place of the one spelled: a gate's stub or a trampoline.
    case name(String)
    /// Before the first use in a unit: the declaration of `stub`, of the type of `function`, with `storage`
    /// (`extern` or `static`); with `definesMacro`, also a macro that spells `function` as `stub` from there on
    /// (a name that a macro pastes together with ##, which cannot be rewritten where it is spelled).
    case stubDeclaration(storage: String, function: String, stub: String, definesMacro: Bool)
    /// Before a shared global's declaration: the section that gathers it into the shared region.
    case sharedSection(String)
    /// Once per file, before its first local that moves to the shared stack: the helpers that copy it there.
    case sharedStackHelpers
    /// A local that moves to the shared stack (by its name): its declaration's name, renamed private.
    case sharedStackRename(local: String)
    /// After its declaration: the pointer to its shared copy, released at the end of its scope.
    case sharedStackPointer(local: String)
    /// Each use of it: through that pointer.
    case sharedStackUse(local: String)
    /// Declared in a `for`'s first clause: the loop goes in a block that holds the pointer (start, end); the
    /// condition makes the copy the first time it is evaluated (`comma`: a condition follows); uses go through
    /// the pointer, cast.
    case sharedStackLoopStart(local: String)
    case sharedStackLoopCopy(local: String, comma: Bool)
    case sharedStackLoopEnd(local: String)
    case sharedStackLoopUse(local: String)
}
