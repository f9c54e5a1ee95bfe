import BulkheadCodegen
import BulkheadModel
import Foundation

/// Puts the gate runtime where process-backend Makefiles look for it (`$(HOME)/.cache/bulkhead/<version>/`),
/// copied from beside the bulkhead executable, so that `make` needs no variable set. Replaced atomically, and
/// only when it differs.
public enum RuntimeInstaller {
    public static let libraryName = "libBulkheadRuntime.a"

    public static func install(generator: String) throws {
        let fm = FileManager.default
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidates = [Paths.directory(of: exe), Paths.directory(of: Bundle.main.bundlePath), Bundle.main.bundlePath]
        guard let source = candidates.map({ $0 + "/" + libraryName }).first(where: { fm.fileExists(atPath: $0) }) else {
            throw DiagnosticError(.error("the process backend needs the Bulkhead runtime, and \(libraryName) is not beside the bulkhead executable (\(Paths.directory(of: exe))); build it with `swift build --product BulkheadRuntime`"))
        }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        let folder = home + "/" + ProcessBackend.runtimeFolder(generator: generator)
        let target = folder + "/" + libraryName
        guard let data = fm.contents(atPath: source) else {
            throw DiagnosticError(.error("cannot read the runtime library '\(source)'"))
        }
        if fm.contents(atPath: target) == data { return }
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let tmp = target + ".tmp-\(getpid())"
            guard fm.createFile(atPath: tmp, contents: data) else { throw CocoaError(.fileWriteUnknown) }
            if rename(tmp, target) != 0 { throw CocoaError(.fileWriteUnknown) }
        } catch {
            throw DiagnosticError(.error("cannot install the runtime library into '\(folder)': \(error.localizedDescription)"))
        }
    }
}
