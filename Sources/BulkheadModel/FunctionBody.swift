/// What a function's body does with its parameters and what it returns: the facts from which
/// `bulkhead suggest` drafts annotations. Collected for every definition; no decision is made here.
public struct FunctionBody: Hashable, Codable, Sendable {
    public var usr: String
    public var name: String
    /// Uses of pointer parameters, in source order.
    public var accesses: [ParameterAccess] = []
    /// `v < n`, `v <= n`, `v != n` (either way round) where `n` is a parameter: the variables (`Variable`) that
    /// each parameter bounds.
    public var bounds: [Bound] = []
    public var returns: [ReturnedValue] = []
    /// What each parameter's and the result's pointer types point to, canonical (typedefs looked through);
    /// nil for other types.
    public var parameterPointees: [String?] = []
    public var resultPointee: String?
    public init(usr: String, name: String) {
        self.usr = usr
        self.name = name
    }

    /// A variable in an expression: a parameter by index (`#2`) or a local by USR.
    public static func parameter(_ i: Int) -> String { "#\(i)" }

    public struct Bound: Hashable, Codable, Sendable {
        public var variable: String
        public var parameter: Int
        public init(variable: String, parameter: Int) {
            self.variable = variable
            self.parameter = parameter
        }
    }
}

public struct ParameterAccess: Hashable, Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// what it points to is read (`*p`, `p[i]`, `p->f` as a value)
        case read
        /// written (`*p = v`, `p[i] = v`, `p->f = v`)
        case write
        /// both at once (`*p += v`, `p[i]++`)
        case readWrite
        /// the pointer is an argument of a call (`callee`, `argument`)
        case passed
        /// an element compared with NUL (`p[i] != '\0'`, `*p == 0`): read as a string
        case comparedWithNul
        /// an element's address taken (`&p[i]`): neither read nor written here
        case addressed
    }
    public var parameter: Int
    public var kind: Kind
    /// For an element access: the variables in its index (`FunctionBody.parameter`, or a local's USR).
    public var index: [String] = []
    /// For an element access whose index is a constant (`p[1]`): its value.
    public var constantIndex: Int?
    /// The type it is read or written as when the access goes through a cast (`*(const int *)p`: `const int`).
    public var viewedAs: String?
    /// For `passed`: the callee (nil when called through a pointer), the argument's position, and for every
    /// argument of the call the variables it names and whether it holds a `sizeof`.
    public var callee: String?
    public var argument: Int?
    public var arguments: [[String]] = []
    public var argumentHasSizeof: [Bool] = []
    public var location: SourceLocation
    public init(parameter: Int, kind: Kind, location: SourceLocation) {
        self.parameter = parameter
        self.kind = kind
        self.location = location
    }
}

/// What a `return` gives back.
public struct ReturnedValue: Hashable, Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// a string literal
        case literal
        /// a global or a static local (its address, an element or an array): the callee's own memory
        case storage
        /// a parameter, or what it points into: the caller's memory
        case parameter
        /// the result of a call (`callee`)
        case call
        /// a null pointer
        case null
        case other
    }
    public var kind: Kind
    public var name: String?
    public var location: SourceLocation
    public init(kind: Kind, name: String?, location: SourceLocation) {
        self.kind = kind
        self.name = name
        self.location = location
    }
}

/// How an argument of a call is written, for what callers tell about a parameter.
public enum ArgumentShape: Hashable, Codable, Sendable {
    case stringLiteral
    /// `sizeof x` or `sizeof(x)` of a variable
    case sizeOf(String)
    /// a variable, or its address (`x`, `&x`)
    case variable(String)
    case other
}
