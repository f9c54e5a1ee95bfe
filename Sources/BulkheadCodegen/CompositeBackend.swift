import BulkheadAnalysis
import BulkheadConfig

/// A program whose compartments use more than one backend: each part writes the stubs of the crossings of
/// its own mechanism (`Plan.Gate.backend`), and the build gets what every part adds (the process backend's
/// runtime and program file when any compartment has a process of its own).
struct CompositeBackend: Backend {
    var kind: BackendKind
    var parts: [Backend]

    func code(appendedTo unit: String, plan: Plan) -> String {
        parts.map { $0.code(appendedTo: unit, plan: plan) }.joined()
    }

    func extraFiles(plan: Plan, objects: [(object: String, compartment: String)]) -> [String: String] {
        parts.reduce(into: [:]) { files, part in files.merge(part.extraFiles(plan: plan, objects: objects)) { $1 } }
    }

    func compileFlags(compileFolder: String) -> [String] { parts.flatMap { $0.compileFlags(compileFolder: compileFolder) } }
    func postCompile(library: String, plan: Plan) -> [String] { parts.flatMap { $0.postCompile(library: library, plan: plan) } }
    func makefileVariables(plan: Plan) -> String { parts.map { $0.makefileVariables(plan: plan) }.joined() }
    func makefileRules(plan: Plan) -> String { parts.map { $0.makefileRules(plan: plan) }.joined() }
    var linkObjects: [String] { parts.flatMap(\.linkObjects) }
    var linkFlags: [String] { parts.flatMap(\.linkFlags) }
    var linkDependencies: [String] { parts.flatMap(\.linkDependencies) }
}
