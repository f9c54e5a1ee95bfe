import BulkheadConfig

/// What the analysis needs to know of an isolation mechanism, and nothing else: which calls cross an address
/// space, whether the locals whose address crosses move to a shared stack, whether pointer arguments are
/// copied. The C that a mechanism needs is codegen's (`Backend`, Sources/BulkheadCodegen/Backends/<Name>/);
/// after the annotation file, every stage names a mechanism by `BackendKind`, never by a string.
public struct BackendTraits: Sendable, Hashable {
    /// Each compartment of this backend runs in an address space of its own (a process); the others share
    /// the main process's.
    public var ownAddressSpace: Bool
    /// A local whose address is passed into a compartment of this backend moves to the thread's shared stack
    /// even when caller and callee share an address space (a callee that runs on a stack of its own, with
    /// rights of its own). A call between two address spaces always moves it.
    public var movesCrossingLocals: Bool
    /// Its gates copy what pointer arguments point to, as `gates:` says (`args:`, `result:`), and a pointer
    /// that crosses unmarshalled must point to shared memory (a warning says so).
    public var marshalsPointers: Bool
    /// A fault in a compartment of this backend can be survived (`on_fault: restart`): every entry into it
    /// then needs a value to return.
    public var restartsOnFault: Bool

    public init(ownAddressSpace: Bool, movesCrossingLocals: Bool, marshalsPointers: Bool, restartsOnFault: Bool) {
        self.ownAddressSpace = ownAddressSpace
        self.movesCrossingLocals = movesCrossingLocals
        self.marshalsPointers = marshalsPointers
        self.restartsOnFault = restartsOnFault
    }
}

extension BackendKind {
    /// The traits of each backend: the one place where the analysis learns what a backend is.
    public var traits: BackendTraits {
        switch self {
        case .fcall: return BackendTraits(ownAddressSpace: false, movesCrossingLocals: false, marshalsPointers: false, restartsOnFault: false)
        case .process: return BackendTraits(ownAddressSpace: true, movesCrossingLocals: true, marshalsPointers: true, restartsOnFault: true)
        // protection keys (issue 13, being built): one address space; rights change around each call
        case .mpk: return BackendTraits(ownAddressSpace: false, movesCrossingLocals: true, marshalsPointers: true, restartsOnFault: false)
        }
    }
}

extension BackendKind {
    /// The process a compartment runs in: nil for the main process, which holds the default compartment and
    /// every compartment whose backend has no address space of its own; else the compartment's own.
    public static func process(of compartment: String, _ kind: BackendKind, isDefault: Bool) -> String? {
        kind.traits.ownAddressSpace && !isDefault ? compartment : nil
    }
}
