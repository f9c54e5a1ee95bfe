import BulkheadCodegen
import BulkheadModel
import Foundation

/// Writes a tree into a temporary folder beside the target, then renames it into place: a failure leaves
/// the previous tree as it was. Compares a tree with what is on disk for `bulkhead check`.
public enum TreeWriter {
    public static func write(_ tree: Tree, to directory: String) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL.path
        let parent = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        func fail(_ why: String) -> DiagnosticError {
            DiagnosticError(.error("cannot write output directory '\(directory)': \(why)"))
        }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target, isDirectory: &isDir) {
            guard isDir.boolValue else { throw fail("it exists and is not a folder") }
            let entries = (try? fm.contentsOfDirectory(atPath: target)) ?? []
            if !entries.isEmpty, !entries.contains(TreeBuilder.manifestName) {
                throw fail("it exists and is not a bulkhead tree (no \(TreeBuilder.manifestName)); remove it or choose another folder")
            }
        }
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw fail(reason(error))
        }
        let tmp = parent + "/.\(name).bh-tmp-\(getpid())"
        let old = parent + "/.\(name).bh-old-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        do {
            try fm.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            for path in tree.paths {
                let full = tmp + "/" + path
                try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard fm.createFile(atPath: full, contents: Data(tree.files[path]!)) else {
                    throw fail("cannot create '\(path)'")
                }
            }
            if fm.fileExists(atPath: target) {
                try? fm.removeItem(atPath: old)
                try fm.moveItem(atPath: target, toPath: old)
                do {
                    try fm.moveItem(atPath: tmp, toPath: target)
                } catch {
                    try? fm.moveItem(atPath: old, toPath: target)
                    throw error
                }
                try? fm.removeItem(atPath: old)
            } else {
                try fm.moveItem(atPath: tmp, toPath: target)
            }
        } catch let e as DiagnosticError {
            try? fm.removeItem(atPath: tmp)
            throw e
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw fail(reason(error))
        }
    }

    public struct Difference: Equatable {
        public var stale: [String] = []
        public var missing: [String] = []
        public var extra: [String] = []
        public init() {}
        public var isEmpty: Bool { stale.isEmpty && missing.isEmpty && extra.isEmpty }
    }

    /// What differs between `tree` and the folder; build products (obj/, the program) are not compared.
    public static func compare(_ tree: Tree, with directory: String, program: String) -> Difference {
        var diff = Difference()
        let fm = FileManager.default
        for path in tree.paths {
            guard let data = fm.contents(atPath: directory + "/" + path) else {
                diff.missing.append(path)
                continue
            }
            if Array(data) != tree.files[path]! { diff.stale.append(path) }
        }
        diff.extra = files(in: directory, program: program).filter { tree.files[$0] == nil }
        diff.extra.sort()
        return diff
    }

    /// The files of a tree folder, build products (obj/, the program) left out.
    public static func files(in directory: String, program: String) -> [String] {
        let fm = FileManager.default
        let ignored: Set<String> = [TreeBuilder.objectFolder, program]
        var out: [String] = []
        guard let walker = fm.enumerator(atPath: directory) else { return out }
        while let rel = walker.nextObject() as? String {
            let top = rel.split(separator: "/").first.map(String.init) ?? rel
            if ignored.contains(top) { continue }
            var isDir: ObjCBool = false
            fm.fileExists(atPath: directory + "/" + rel, isDirectory: &isDir)
            if !isDir.boolValue { out.append(rel) }
        }
        return out.sorted()
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let under = ns.userInfo[NSUnderlyingErrorKey] as? NSError, under.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(under.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
