import BulkheadAnalysis

/// The C of each edit that the analysis decides (`EditContent`).
enum EditText {
    static func text(_ content: EditContent) -> String {
        switch content {
        case .name(let name):
            return name
        case let .stubDeclaration(storage, function, stub, definesMacro):
            return "\(storage) __typeof__(\(function)) \(stub);\n" + (definesMacro ? "#define \(function) \(stub)\n" : "")
        case .sharedSection(let section):
            return "__attribute__((section(\"\(section)\"))) "
        case .sharedStackHelpers:
            return Templates.render("bh_shared_stack.h")
        case .sharedStackRename(let local):
            return privateName(local)
        case .sharedStackPointer(let local):
            let priv = privateName(local)
            return " __attribute__((cleanup(__bh_ss_release))) __typeof__(\(priv)) *\(sharedName(local)) = (__typeof__(\(priv)) *)\(copy(local));"
        case .sharedStackUse(let local):
            return "(*\(sharedName(local)))"
        case .sharedStackLoopStart(let local):
            return "{ __attribute__((cleanup(__bh_ss_release))) void *\(sharedName(local)) = 0; "
        case let .sharedStackLoopCopy(local, comma):
            let shared = sharedName(local)
            return " (\(shared) || (\(shared) = \(copy(local))))\(comma ? "," : "")"
        case .sharedStackLoopEnd(let local):
            return " }/* \(sharedName(local)) */"
        case .sharedStackLoopUse(let local):
            return "(*(__typeof__(\(privateName(local))) *)\(sharedName(local)))"
        }
    }

    // `__bh_`: C reserves names that begin with two underscores, so none of the program's can clash
    private static func privateName(_ local: String) -> String { "__bh_priv_\(local)" }
    private static func sharedName(_ local: String) -> String { "__bh_ss_\(local)" }
    private static func copy(_ local: String) -> String {
        let priv = privateName(local)
        return "__bh_ss_copy(&\(priv), sizeof \(priv), _Alignof(__typeof__(\(priv))))"
    }
}
