/// Lexical path handling, the same everywhere (no file system access, no symlink resolution).
public enum Paths {
    /// `path` relative to `base` when it lies below it (both absolute), else nil.
    public static func relative(_ path: String, to base: String) -> String? {
        let p = normalize(path), b = normalize(base)
        if p == b { return "." }
        let prefix = b.hasSuffix("/") ? b : b + "/"
        return p.hasPrefix(prefix) ? String(p.dropFirst(prefix.count)) : nil
    }

    /// Lexical normalisation: removes `.`, `..` and repeated slashes.
    public static func normalize(_ path: String) -> String {
        if isNormal(path) { return path }  // the common case (every source location): no allocation
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// No empty, `.` or `..` component and no trailing slash: `normalize` would return it unchanged.
    static func isNormal(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var length = 0, dotsOnly = true, first = true
        for c in path.utf8 {
            if c == slash {
                if length == 0 && !first { return false }
                if dotsOnly && length > 0 && length <= 2 { return false }
                length = 0
                dotsOnly = true
            } else {
                length += 1
                if c != dot { dotsOnly = false }
            }
            first = false
        }
        return length > 0 && !(dotsOnly && length <= 2)
    }

    public static func join(_ base: String, _ path: String) -> String {
        path.hasPrefix("/") ? normalize(path) : normalize(base + "/" + path)
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
