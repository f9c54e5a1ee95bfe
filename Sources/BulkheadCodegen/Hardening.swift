/// Compiler and linker flags for each `hardening:` value of a compartment. One table, documented in the
/// README; `safe-stack` needs clang (`make CC=clang`).
public enum HardeningFlags {
    public static func compile(_ value: String) -> [String] {
        switch value {
        case "asan": return ["-fsanitize=address", "-fno-omit-frame-pointer"]
        case "ubsan": return ["-fsanitize=undefined", "-fno-sanitize-recover=undefined"]
        case "stack-protector": return ["-fstack-protector-strong"]
        case "safe-stack": return ["-fsanitize=safe-stack"]
        case "cfi": return ["-fcf-protection=full"]
        case "fortify": return ["-O1", "-U_FORTIFY_SOURCE", "-D_FORTIFY_SOURCE=2"]
        default: return []
        }
    }

    public static func link(_ value: String) -> [String] {
        switch value {
        case "asan": return ["-fsanitize=address"]
        case "ubsan": return ["-fsanitize=undefined"]
        case "safe-stack": return ["-fsanitize=safe-stack"]
        default: return []
        }
    }
}
