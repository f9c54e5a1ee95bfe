import BulkheadAnalysis

/// `bh/bh_program.c`: the program's description for the runtime (compartments with their memory regions,
/// syscall allowlists and fault policy; the entry table) and the constructor that starts the runtime.
struct ProcessProgramFile {
    var plan: Plan
    var layout: ProcessLayout
    /// `bulkhead syscalls`' build: the trace file's path (every compartment gets an empty allowlist, whose
    /// denials the runtime records there instead).
    var syscallTrace: String? = nil

    /// LeakSanitizer scans every module's memory at exit, and other compartments' is not readable here.
    static var asanOptions: String { Templates.render("Process/bh_asan_options.c") + "\n" }

    /// Declared here, not in bulkhead_runtime.h: only a program built by `bulkhead syscalls` may record.
    static func traceStart(_ path: String) -> String {
        let quoted = path.utf8.map { b -> String in
            b == UInt8(ascii: "\\") || b == UInt8(ascii: "\"") ? "\\" + String(UnicodeScalar(b))
                : b < 0x20 || b >= 0x7f ? "\\" + String(b, radix: 8).leftPadded(to: 3) : String(UnicodeScalar(b))
        }.joined()
        return Templates.render("Process/bh_trace.c", ["TRACE_FILE": quoted]) + "\n"
    }

    /// strdup and strndup allocate with the C library's own malloc; in a library on the shared heap they are
    /// renamed to these (ProcessBackend.postCompile), so that what they return may be freed anywhere (jq
    /// frees with jv_mem_free, in its value core's compartment, the names its compiler strdup'ed).
    static var sharedStrdup: String { Templates.render("Process/bh_shared_strdup.c") + "\n" }

    func text() -> String {
        var out = Templates.render("Process/bh_program_head.c") + "\n"
        let kinds = ["text", "rodata", "data", "bss"]
        out += "/* each compartment's sections, on pages of their own (bh/bulkhead.ld) */\n"
        for c in layout.compartments {
            out += "extern char " + kinds.map { "bh_\($0)_\(c.name)_start[], bh_\($0)_\(c.name)_end[]" }.joined(separator: ", ") + ";\n"
        }
        out += "extern char bh_shared_start[], bh_shared_end[];\n\n"
        out += "/* the entry table: the only ways into each compartment */\n"
        for (id, e) in layout.entries.enumerated() {
            out += "void \(ProcessLayout.entrySymbol(id, e.function))(bh_frame *);\n"
        }
        out += "\n"
        if syscallTrace != nil {
            out += "/* built by `bulkhead syscalls`: every allowlist is empty, and what it would deny is recorded, not denied */\n"
            out += "static const char *const bh_syscalls_traced[] = { 0 };\n"
        }
        for c in layout.compartments where c.syscallFilter == "allowlist" && syscallTrace == nil {
            out += "static const char *const bh_syscalls_\(c.name)[] = { " + (c.syscalls.map { "\"\($0)\", " }).joined() + "0 };\n"
        }
        out += "\nstatic const bh_compartment_desc bh_compartments[] = {\n"
        for c in layout.compartments {
            // read-only data stays readable everywhere unless the compartment keeps it private: an empty
            // region is left alone by the runtime
            let regions = kinds.map { kind in
                kind == "rodata" && c.privateRodata != true ? "{ 0, 0 }"
                    : "{ (uintptr_t)bh_\(kind)_\(c.name)_start, (uintptr_t)bh_\(kind)_\(c.name)_end }"
            }.joined(separator: ", ")
            let policy = c.onFault == "restart" ? "BH_ON_FAULT_RESTART" : "BH_ON_FAULT_ABORT"
            let syscalls = syscallTrace != nil ? "bh_syscalls_traced"
                : c.syscallFilter == "allowlist" ? "bh_syscalls_\(c.name)" : "0"
            let unrestricted = c.syscallFilter == "unrestricted" && syscallTrace == nil ? ", 1" : ""   // no filter, not even the baseline
            out += "\t{ \"\(c.name)\", \(policy), \(regions), \(syscalls)\(unrestricted) },\n"
        }
        out += "};\n\n"
        out += "/* the compartments that may call each gate (bit k: compartment k): those that call it by name */\n"
        for (id, e) in layout.entries.enumerated() {
            guard let callers = e.callers else { continue }
            var words = [UInt32](repeating: 0, count: (layout.compartments.count + 31) / 32)
            for c in callers {
                let k = layout.index(of: c)
                words[k / 32] |= 1 << UInt32(k % 32)
            }
            out += "static const uint32_t bh_callers_\(id)[] = { " + words.map { "0x\(String($0, radix: 16))" }.joined(separator: ", ") + " };\n"
        }
        out += "\nstatic const bh_gate_desc bh_gates[] = {\n"
        for (id, e) in layout.entries.enumerated() {
            let callers = e.callers == nil ? "0" : "bh_callers_\(id)"
            out += "\t{ \"\(e.function)\", \(layout.index(of: e.compartment)), \(ProcessLayout.entrySymbol(id, e.function)), \(callers) },\n"
        }
        if layout.entries.isEmpty { out += "\t{ 0, 0, 0, 0 },\n" }
        out += "};\n\n"
        out += Templates.render("Process/bh_program_desc.c", [
            "PROGRAM": plan.program, "COMPARTMENT_COUNT": "\(layout.compartments.count)", "GATE_COUNT": "\(layout.entries.count)",
        ]) + "\n"
        out += plan.compartments.contains { $0.hardening.contains("asan") } ? Self.asanOptions : ""
        out += plan.sharedHeap.isEmpty ? "" : Self.sharedStrdup
        out += Templates.render("Process/bh_start.c", [
            "TRACE_DECLARATION": syscallTrace.map(Self.traceStart) ?? "",
            "TRACE_CALL": syscallTrace == nil ? "" : "\tbh_syscall_trace(&bh_program, bh_trace_file);\n",
        ])
        return out
    }
}

/// `bh/bulkhead.ld`: added to the default linker script (INSERT), it gives each compartment's code, read-only
/// data, data and bss page-aligned output sections of their own, with start and end symbols, and gathers the
/// shared globals (sections bh_shared.*) into pages of their own.
struct LinkerScript {
    var layout: ProcessLayout
    var objects: [(object: String, compartment: String)]

    func text() -> String {
        var out = "/* Generated by bulkhead (process backend); edits here are discarded. */\n"
        func block(_ kind: String, _ inputs: String, insert: String, noload: Bool = false) -> String {
            var s = "SECTIONS\n{\n"
            for c in layout.compartments {
                let files = objects.filter { layout.home(of: $0.compartment) == c.name }.map(\.object)
                let patterns = files.map { "*\($0)(\(inputs))" }.joined(separator: " ")
                s += Templates.render("Process/bh_region.ld", ["KIND": kind, "COMPARTMENT": c.name, "NOLOAD": noload ? " (NOLOAD)" : "",
                                                               "INPUTS": patterns])
            }
            return s + "}\nINSERT BEFORE \(insert);\n\n"
        }
        out += block("text", ".text .text.*", insert: ".text")
        out += block("rodata", ".rodata .rodata.*", insert: ".rodata")
        out += Templates.render("Process/bh_shared.ld") + "\n"
        // every .data section but the ones that are read-only after relocation (.data.rel.ro, .data.rel.ro.*:
        // const tables of pointers, such as a string table): like .rodata, the default script keeps those
        // in its RELRO segment, readable everywhere
        let data = ".data .data.[!r]* .data.r .data.r[!e]* .data.re .data.re[!l]* .data.rel .data.rel[!.]* "
            + ".data.rel.[!r]* .data.rel.r .data.rel.r[!o]* .data.rel.ro[!.]*"
        out += block("data", data, insert: ".data")
        out += block("bss", ".bss .bss.* COMMON", insert: ".bss", noload: true)
        return out
    }
}

private extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
