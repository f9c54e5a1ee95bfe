import BulkheadConfig

/// What a traced workload recorded (the runtime's trace file: "run" per start of the program, then
/// "COMPARTMENT SYSCALL" per call first seen in that run), and the `syscalls:` lists drafted from it.
public struct SyscallDraft: Equatable {
    /// Starts of the program the workload made.
    public var runs = 0
    /// Per compartment, the system calls its own code made beyond the runtime's.
    public var calls: [String: Set<String>] = [:]

    public init(trace: String) {
        for line in trace.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields == ["run"] { runs += 1 }
            if fields.count == 2 { calls[String(fields[0]), default: []].insert(String(fields[1])) }
        }
    }

    /// Each compartment's drafted list, sorted.
    public func lists(for compartments: [CompartmentConfig]) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: compartments.map { ($0.name.value, (calls[$0.name.value] ?? []).sorted()) })
    }

    /// The lists as YAML to paste under `compartments:`, in the file's order, each with a comment: its
    /// libraries, and how the draft differs from the list the file has.
    public func yaml(config: Config, workload: String) -> String {
        let lists = lists(for: config.compartments)
        var out = """
            # Drafted by `bulkhead syscalls` from \(runs) run\(runs == 1 ? "" : "s") of \(config.program.value) under: \(workload)
            # Each list holds the system calls that compartment's own code made, beyond those the runtime allows
            # every compartment anyway (Sources/CBulkheadRuntime/process/seccomp.c). A call the workload did not reach is
            # missing: draft from workloads that cover what the program does in production.
            compartments:

            """
        let width = config.compartments.map(\.name.value.count).max() ?? 0
        for c in config.compartments {
            let name = c.name.value, list = lists[name] ?? []
            let libraries = config.libraries.map(\.name.value).filter { config.compartment(ofLibrary: $0).name.value == name }
            var notes = ["libraries: " + (libraries.isEmpty ? "none" : libraries.joined(separator: ", "))]
            if list.isEmpty { notes.append("no system call of its own") }
            let had = c.syscalls.map(\.value)
            if !had.isEmpty || c.emptyAllowlist {
                let added = list.filter { !had.contains($0) }, dropped = had.filter { !list.contains($0) }.sorted()
                if !added.isEmpty { notes.append("adds " + added.joined(separator: ", ")) }
                if !dropped.isEmpty { notes.append("drops " + dropped.joined(separator: ", ")) }
                if added.isEmpty && dropped.isEmpty { notes.append("as the file has it") }
            }
            out += "  \(name):" + String(repeating: " ", count: width - name.count + 1) + "# " + notes.joined(separator: "; ") + "\n"
            out += "    syscalls: [" + list.joined(separator: ", ") + "]\n"
        }
        return out
    }
}
