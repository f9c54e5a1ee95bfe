/// The project's own model of what the frontend found in C sources. libclang's types stay in the
/// frontend; everything after it works on these values. Paths here are absolute; byte offsets are
/// into the file as it is on disk.

/// A place in a file's bytes: `length` bytes from `offset`. A zero length marks an insertion point.
public struct TextSpan: Hashable, Codable, Comparable, Sendable {
    public var file: String
    public var offset: Int
    public var length: Int
    public init(file: String, offset: Int, length: Int) {
        self.file = file
        self.offset = offset
        self.length = length
    }
    public static func < (a: TextSpan, b: TextSpan) -> Bool {
        (a.file, a.offset, a.length) < (b.file, b.offset, b.length)
    }
}

public struct Parameter: Hashable, Codable, Sendable {
    public var name: String
    /// The type as clang spells it (`const char *`, `int (*)(const void *, const void *)`).
    public var type: String
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }

    /// A stdio stream (`FILE *`): under the process backend it is usable only in the process that opened it,
    /// which the callee side checks (it is not data to copy).
    public var isStdioStream: Bool {
        let t = type.hasPrefix("const ") ? String(type.dropFirst(6)) : type
        return t == "FILE *" || t == "struct _IO_FILE *"
    }
}

/// A function definition.
public struct FunctionInfo: Hashable, Codable, Sendable {
    public var name: String
    public var usr: String
    public var isStatic: Bool
    public var isVariadic: Bool
    public var resultType: String
    public var parameters: [Parameter]
    /// Where its name is written (expansion location), for messages.
    public var location: SourceLocation
    /// The translation unit that defines it (absolute path of the main file).
    public var translationUnit: String
    public init(name: String, usr: String, isStatic: Bool, isVariadic: Bool, resultType: String,
                parameters: [Parameter], location: SourceLocation, translationUnit: String) {
        self.name = name
        self.usr = usr
        self.isStatic = isStatic
        self.isVariadic = isVariadic
        self.resultType = resultType
        self.parameters = parameters
        self.location = location
        self.translationUnit = translationUnit
    }
}

/// The address of a local variable handed to a call (`&x`, or a local array that decays).
public struct LocalAddress: Hashable, Codable, Sendable {
    public var name: String
    public var isArray: Bool
    public var location: SourceLocation
    /// Which argument of the call it is (0-based).
    public var argument: Int = 0
    /// The variable, as `TranslationUnitFacts.locals` knows it; nil for a parameter.
    public var usr: String?
    /// Set when the argument is not an address but the value of a pointer parameter of the enclosing
    /// function (its index): whatever the caller passed in is passed on.
    public var parameter: Int?
    /// The USR of the function holding the call.
    public var function: String?
    /// Set when the argument is the value of a local pointer variable (`usr`), or an address inside what it
    /// points to (`&q->f`): not the variable's address; what its initializer points to goes along.
    public var throughPointer = false
    public init(name: String, isArray: Bool, location: SourceLocation) {
        self.name = name
        self.isArray = isArray
        self.location = location
    }
}

/// A local variable whose address is passed to a call, with every place that spells it: what a backend
/// without a shared address space needs to move it to a shared stack.
public struct LocalVariable: Hashable, Codable, Sendable {
    public var usr: String
    public var name: String
    /// The name in its declaration.
    public var declaration: TextSpan
    /// Just after the declaration statement's `;`.
    public var afterStatement: TextSpan
    /// Every other use of the name.
    public var references: [TextSpan]
    /// Where a declaration can go before the function holding it.
    public var declarationPoint: TextSpan
    /// Why it cannot be rewritten (a use inside a macro, a variable-length array), if so.
    public var unrewritableReason: String?
    /// For a variable declared in a `for` statement's first clause: that statement, whose scope is the
    /// variable's. `afterStatement` is then where the condition begins.
    public var loop: ForLoop?
    public init(usr: String, name: String, declaration: TextSpan, afterStatement: TextSpan, references: [TextSpan],
                declarationPoint: TextSpan, unrewritableReason: String?, loop: ForLoop? = nil) {
        self.usr = usr
        self.name = name
        self.declaration = declaration
        self.afterStatement = afterStatement
        self.references = references
        self.declarationPoint = declarationPoint
        self.unrewritableReason = unrewritableReason
        self.loop = loop
    }
}

/// A `for` statement whose first clause declares a local: where it begins (before `for`), where it ends
/// (after its body), and whether its condition is empty (`for (int i = 0; ; i++)`).
public struct ForLoop: Hashable, Codable, Sendable {
    public var start: TextSpan
    public var end: TextSpan
    public var emptyCondition: Bool
    public init(start: TextSpan, end: TextSpan, emptyCondition: Bool) {
        self.start = start
        self.end = end
        self.emptyCondition = emptyCondition
    }
}

/// An argument passed through a variadic function's `...`, after C's default argument promotions: what a gate
/// specialised to a call site forwards. Pointers travel as `void *` and function pointers as
/// `void (*)(void)` (the same representation, so the callee's `va_arg` of its own type reads them).
public enum PromotedType: String, Hashable, Codable, Sendable, CaseIterable {
    case int, unsignedInt, long, unsignedLong, longLong, unsignedLongLong, double, longDouble, pointer, functionPointer

    /// The C type a gate gives it.
    public var cType: String {
        switch self {
        case .int: return "int"
        case .unsignedInt: return "unsigned int"
        case .long: return "long"
        case .unsignedLong: return "unsigned long"
        case .longLong: return "long long"
        case .unsignedLongLong: return "unsigned long long"
        case .double: return "double"
        case .longDouble: return "long double"
        case .pointer: return "void *"
        case .functionPointer: return "void (*)(void)"
        }
    }

    /// One letter in a specialised gate's name (those of the Itanium C++ ABI, and `p`/`f` for pointers).
    public var code: String {
        switch self {
        case .int: return "i"
        case .unsignedInt: return "j"
        case .long: return "l"
        case .unsignedLong: return "m"
        case .longLong: return "x"
        case .unsignedLongLong: return "y"
        case .double: return "d"
        case .longDouble: return "e"
        case .pointer: return "p"
        case .functionPointer: return "f"
        }
    }
}

/// One argument of a call passed through `...`.
public struct VariadicArgument: Hashable, Codable, Sendable {
    /// As clang spells its type at the call (after promotion).
    public var type: String
    /// nil when a gate cannot forward it (a struct or union by value, a vector).
    public var promoted: PromotedType?
    public init(type: String, promoted: PromotedType?) {
        self.type = type
        self.promoted = promoted
    }
}

/// One occurrence of a function's name in code: a call, or a reference that takes its address.
public struct FunctionUse: Hashable, Codable, Sendable {
    public var targetUSR: String
    public var targetName: String
    public var isCall: Bool
    /// Where the use is, as the user reads it (a macro's invocation for a name inside a macro body).
    public var location: SourceLocation
    /// Where the name is spelled in a file: the token(s) to rewrite. Several for a macro body that names it
    /// more than once; empty when it cannot be rewritten (see `unrewritableReason`).
    public var spans: [TextSpan]
    /// The macro whose body spells the name, when it does.
    public var macroName: String?
    public var unrewritableReason: String?
    /// Where a declaration of a generated stub can go: before the top-level declaration holding the use.
    public var declarationPoint: TextSpan
    /// The function the use is in, if any.
    public var enclosingFunction: String?
    /// For a reference (not a call): the direct callee (USR) of the call whose arguments hold it.
    public var argumentOf: String?
    /// For a reference: the global variable (USR) whose initializer holds it.
    public var initializerOf: String?
    /// For a call: addresses of locals among its arguments.
    public var localAddresses: [LocalAddress]
    /// The translation unit the use was seen in.
    public var translationUnit: String
    /// For a call of a variadic function: the arguments passed through its `...`.
    public var variadicArguments: [VariadicArgument]?
    /// For a call: how each argument is written (literals, `sizeof`, variables), for `bulkhead suggest`.
    public var argumentShapes: [ArgumentShape]?

    public init(targetUSR: String, targetName: String, isCall: Bool, location: SourceLocation, spans: [TextSpan],
                macroName: String?, unrewritableReason: String?, declarationPoint: TextSpan,
                enclosingFunction: String?, argumentOf: String?, initializerOf: String?,
                localAddresses: [LocalAddress], translationUnit: String) {
        self.targetUSR = targetUSR
        self.targetName = targetName
        self.isCall = isCall
        self.location = location
        self.spans = spans
        self.macroName = macroName
        self.unrewritableReason = unrewritableReason
        self.declarationPoint = declarationPoint
        self.enclosingFunction = enclosingFunction
        self.argumentOf = argumentOf
        self.initializerOf = initializerOf
        self.localAddresses = localAddresses
        self.translationUnit = translationUnit
    }
}

/// A global variable definition (file scope, static storage).
public struct GlobalInfo: Hashable, Codable, Sendable {
    public var name: String
    public var usr: String
    public var isStatic: Bool
    public var isConst: Bool
    public var location: SourceLocation
    /// Start of its declaration: where a section attribute goes.
    public var declarationStart: TextSpan
    public var translationUnit: String
    public init(name: String, usr: String, isStatic: Bool, isConst: Bool, location: SourceLocation,
                declarationStart: TextSpan, translationUnit: String) {
        self.name = name
        self.usr = usr
        self.isStatic = isStatic
        self.isConst = isConst
        self.location = location
        self.declarationStart = declarationStart
        self.translationUnit = translationUnit
    }
}

public struct GlobalUse: Hashable, Codable, Sendable {
    public var usr: String
    public var name: String
    public var location: SourceLocation
    public var enclosingFunction: String?
    public var translationUnit: String
    public init(usr: String, name: String, location: SourceLocation, enclosingFunction: String?, translationUnit: String) {
        self.usr = usr
        self.name = name
        self.location = location
        self.enclosingFunction = enclosingFunction
        self.translationUnit = translationUnit
    }
}

/// Everything found in one translation unit.
public struct TranslationUnitFacts: Codable, Sendable {
    public var file: String
    public var functions: [FunctionInfo]
    public var uses: [FunctionUse]
    public var globals: [GlobalInfo]
    public var globalUses: [GlobalUse]
    /// Every file the TU read, the main file included (absolute paths, sorted).
    public var files: [String]
    /// What each function defined here does with its parameters, for `bulkhead suggest`.
    public var bodies: [FunctionBody] = []
    /// Locals whose address is passed to a call, by USR.
    public var locals: [String: LocalVariable] = [:]
    /// Addresses of locals (and pointer parameters) passed to calls through a function pointer (the target
    /// may be a trampoline).
    public var indirectCallLocals: [LocalAddress] = []
    /// For a local whose initializer holds addresses of other locals (`struct r r = { &buf }`): those
    /// locals' USRs, by the local's USR.
    public var initializerLocals: [String: [String]] = [:]
    /// Addresses of locals stored into memory that is not a local variable (`g = &x`, `*pp = &x`,
    /// `ctx->buf = buf`): they may be read anywhere the program goes. (Stored into a local pointer, `q = &x`,
    /// they go to `initializerLocals[q]` instead.)
    public var storedLocals: [LocalAddress] = []
    public init(file: String, functions: [FunctionInfo] = [], uses: [FunctionUse] = [], globals: [GlobalInfo] = [],
                globalUses: [GlobalUse] = [], files: [String] = []) {
        self.file = file
        self.functions = functions
        self.uses = uses
        self.globals = globals
        self.globalUses = globalUses
        self.files = files
    }
}

/// One translation unit to parse: its file, the compiler's arguments (no -c/-o, no input file) and folder.
public struct CompileJob: Hashable, Codable, Sendable {
    public var file: String
    public var arguments: [String]
    public var directory: String
    public init(file: String, arguments: [String], directory: String) {
        self.file = file
        self.arguments = arguments
        self.directory = directory
    }
}
