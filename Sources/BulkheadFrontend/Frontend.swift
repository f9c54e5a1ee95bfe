import BulkheadModel
import CClang
import Foundation

/// Parses translation units with libclang (Debian's clang 14), in parallel on every core, one CXIndex per
/// parse. Any error-level diagnostic makes the parse a failure, reported with clang's own locations.
public enum Frontend {
    public struct Result: Sendable {
        public var facts: [TranslationUnitFacts]
        public var diagnostics: [Diagnostic]
    }

    /// Facts for every job, in the jobs' order; throws with every error of every TU when any fails.
    public static func parse(_ jobs: [CompileJob]) throws -> [TranslationUnitFacts] {
        var results = [Swift.Result<TranslationUnitFacts, DiagnosticError>?](repeating: nil, count: jobs.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let r = parseOne(jobs[i])
            lock.lock()
            results[i] = r
            lock.unlock()
        }
        var facts: [TranslationUnitFacts] = []
        var errors: [Diagnostic] = []
        for r in results {
            switch r! {
            case .success(let f): facts.append(f)
            case .failure(let e): errors += e.diagnostics
            }
        }
        if !errors.isEmpty { throw DiagnosticError(errors) }
        return facts
    }

    static func parseOne(_ job: CompileJob) -> Swift.Result<TranslationUnitFacts, DiagnosticError> {
        guard let index = clang_createIndex(0, 0) else {
            return .failure(DiagnosticError(.error("libclang could not create an index")))
        }
        defer { clang_disposeIndex(index) }
        let args = ["-working-directory", job.directory] + job.arguments
        var cargs = args.map { strdup($0) }
        defer { cargs.forEach { free($0) } }
        var tu: CXTranslationUnit?
        let options = CXTranslationUnit_DetailedPreprocessingRecord.rawValue
        let code = cargs.withUnsafeMutableBufferPointer { buf -> CXErrorCode in
            buf.withMemoryRebound(to: UnsafePointer<CChar>?.self) { p in
                clang_parseTranslationUnit2(index, job.file, p.baseAddress, Int32(p.count), nil, 0, options, &tu)
            }
        }
        guard code == CXError_Success, let tu else {
            return .failure(DiagnosticError(.error("libclang could not parse '\(job.file)' (error \(code.rawValue))")))
        }
        defer { clang_disposeTranslationUnit(tu) }
        var errors: [Diagnostic] = []
        for i in 0..<clang_getNumDiagnostics(tu) {
            let d = clang_getDiagnostic(tu, i)
            defer { clang_disposeDiagnostic(d) }
            let severity = clang_getDiagnosticSeverity(d)
            guard severity == CXDiagnostic_Error || severity == CXDiagnostic_Fatal else { continue }
            let message = clang_getDiagnosticSpelling(d).consume()
            let at = clang_getDiagnosticLocation(d).expansion
            errors.append(.error(message, at: at.map { SourceLocation(file: $0.file, line: $0.line, column: $0.column) }))
        }
        if !errors.isEmpty { return .failure(DiagnosticError(errors)) }
        return .success(FactsCollector(tu: tu, mainFile: job.file).collect())
    }
}
