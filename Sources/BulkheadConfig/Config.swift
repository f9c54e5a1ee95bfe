import BulkheadModel

/// A value from the annotation file with the place it was written, for error messages.
public struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
    public var value: Value
    public var location: SourceLocation
    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

public enum BackendKind: String, CaseIterable, Sendable, Codable {
    case fcall, process, mpk
}

public enum Hardening: String, CaseIterable, Sendable, Codable {
    case asan, ubsan
    case stackProtector = "stack-protector"
    case safeStack = "safe-stack"
    case cfi, fortify
}

public enum FaultPolicy: String, CaseIterable, Sendable, Codable {
    case abort, restart
}

/// How a gate into an mpk compartment runs the callee: `light`, on the caller's stack; `private`, on a stack
/// of the callee compartment's own (per thread, carrying its key).
public enum GateKind: String, CaseIterable, Sendable, Codable {
    case light, `private`
}

public enum Direction: String, CaseIterable, Sendable, Codable {
    case `in`, out, `inout`
}

/// `bulkhead.yaml`, schema 1, validated on its own (names that need the program are checked by the analysis).
/// Every list keeps the order of the file; libraries and compartments are also unique by name.
public struct Config: Sendable {
    /// The annotation file's path as given on the command line.
    public var path: String
    /// Absolute folder of the annotation file; `sources`, `compile_commands` are relative to it.
    public var baseDirectory: String
    /// How the annotation file is named in diagnostics (its file name relative to where bulkhead runs).
    public var displayPath: String

    public var program: Located<String>
    public var backend: Located<BackendKind>
    public var compileCommands: Located<String>?
    public var cflags: [String]
    public var ldflags: [String]
    public var libraries: [LibraryConfig]
    public var compartments: [CompartmentConfig]
    public var shared: SharedConfig
    public var gates: [GateConfig]

    public init(path: String, baseDirectory: String, displayPath: String, program: Located<String>,
                backend: Located<BackendKind>, compileCommands: Located<String>?, cflags: [String],
                ldflags: [String], libraries: [LibraryConfig], compartments: [CompartmentConfig],
                shared: SharedConfig, gates: [GateConfig]) {
        self.path = path
        self.baseDirectory = baseDirectory
        self.displayPath = displayPath
        self.program = program
        self.backend = backend
        self.compileCommands = compileCommands
        self.cflags = cflags
        self.ldflags = ldflags
        self.libraries = libraries
        self.compartments = compartments
        self.shared = shared
        self.gates = gates
    }

    public func library(named name: String) -> LibraryConfig? { libraries.first { $0.name.value == name } }
    public func gate(named name: String) -> GateConfig? { gates.first { $0.function.value == name } }

    /// The backend of a compartment: its own `backend:`, else the annotation file's.
    public func backend(ofCompartment name: String) -> BackendKind {
        compartments.first { $0.name.value == name }?.backend?.value ?? backend.value
    }

    /// Whether compartments use more than one backend.
    public var mixesBackends: Bool { Set(compartments.map { backend(ofCompartment: $0.name.value) }).count > 1 }

    /// The compartment that holds a library: the one listing it, else the default one.
    public func compartment(ofLibrary name: String) -> CompartmentConfig {
        compartments.first { $0.libraries.contains { $0.value == name } }
            ?? compartments.first { $0.isDefault }!
    }
}

public struct LibraryConfig: Sendable {
    public var name: Located<String>
    public var sources: [Located<String>]
    public var cflags: [String]
    public init(name: Located<String>, sources: [Located<String>], cflags: [String]) {
        self.name = name
        self.sources = sources
        self.cflags = cflags
    }
}

/// What system calls a compartment's process may make (process backend).
public enum SyscallFilter: String, Sendable {
    /// No `syscalls:` key: the baseline filter only (none in the default compartment).
    case baseline
    /// `syscalls: [NAME…]`: the list and the runtime's own calls, on top of the baseline.
    case allowlist
    /// `syscalls: unrestricted`: no filter at all.
    case unrestricted
}

public struct CompartmentConfig: Sendable {
    public var name: Located<String>
    public var libraries: [Located<String>]
    public var isDefault: Bool
    public var hardening: [Hardening]
    public var syscalls: [Located<String>]
    public var syscallFilter = SyscallFilter.baseline
    public var onFault: FaultPolicy
    /// Under process: its read-only data (string literals, const tables) is not readable by the other
    /// compartments either. By default it is: constants flow across library boundaries in C.
    public var privateRodata = false
    /// `backend:` written on the compartment (else the annotation file's top-level `backend:` applies).
    public var backend: Located<BackendKind>?
    /// `gate:` written on the compartment (mpk only; absent: light).
    public var gate: Located<GateKind>?
    /// `syscalls: []` written: a filter that allows the runtime's own calls only.
    public var emptyAllowlist: Bool { syscallFilter == .allowlist && syscalls.isEmpty }
    public init(name: Located<String>, libraries: [Located<String>], isDefault: Bool, hardening: [Hardening],
                syscalls: [Located<String>], onFault: FaultPolicy) {
        self.name = name
        self.libraries = libraries
        self.isDefault = isDefault
        self.hardening = hardening
        self.syscalls = syscalls
        self.onFault = onFault
    }
}

public struct SharedConfig: Sendable {
    public var globals: [Located<String>]
    public var callbacks: [Located<String>]
    public var heap: [Located<String>]
    public init(globals: [Located<String>] = [], callbacks: [Located<String>] = [], heap: [Located<String>] = []) {
        self.globals = globals
        self.callbacks = callbacks
        self.heap = heap
    }
}

/// How one pointer argument (or the result) is marshalled across a gate.
public struct Marshalling: Sendable, Hashable {
    public var direction: Direction
    public var size: Located<String>?
    public var count: Located<String>?
    public var isString: Bool
    public init(direction: Direction = .in, size: Located<String>? = nil, count: Located<String>? = nil,
                isString: Bool = false) {
        self.direction = direction
        self.size = size
        self.count = count
        self.isString = isString
    }
}

public struct ArgumentConfig: Sendable {
    /// The parameter's name as written in the file (checked against the function by the analysis).
    public var parameter: Located<String>
    public var marshalling: Marshalling
    public init(parameter: Located<String>, marshalling: Marshalling) {
        self.parameter = parameter
        self.marshalling = marshalling
    }
}

public struct GateConfig: Sendable {
    public var function: Located<String>
    public var variadicVia: Located<String>?
    public var errorReturn: Located<String>?
    public var arguments: [ArgumentConfig]
    public var result: Marshalling?
    public var resultLocation: SourceLocation?
    public init(function: Located<String>, variadicVia: Located<String>? = nil, errorReturn: Located<String>? = nil,
                arguments: [ArgumentConfig] = [], result: Marshalling? = nil, resultLocation: SourceLocation? = nil) {
        self.function = function
        self.variadicVia = variadicVia
        self.errorReturn = errorReturn
        self.arguments = arguments
        self.result = result
        self.resultLocation = resultLocation
    }
}
