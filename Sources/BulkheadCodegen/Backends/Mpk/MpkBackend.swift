import BulkheadAnalysis
import BulkheadConfig
import BulkheadModel

/// Protection keys (Intel MPK), one process: each compartment's data, bss and heap carry a key of their
/// own; a gate writes the rights register (PKRU) around the call, on the caller's stack (`gate: light`) or
/// on a stack of the callee's own (`gate: private`), and copies marshalled arguments through the shared heap. The runtime (bh/bh_mpk_runtime.c) and the binary
/// scan (bh/bh_scan_pkru.c) are compiled in the tree: the executable links only the C library, dynamically
/// (static glibc carries XRSTOR in _dl_runtime_resolve_xsave, which the scan must refuse). The layout of
/// sections is the process backend's (bh/bulkhead.ld).
public struct MpkBackend: Backend {
    public let kind = BackendKind.mpk
    public init() {}

    public func code(appendedTo unit: String, plan: Plan) -> String {
        let layout = ProcessLayout(plan, backend: .mpk)
        var out = ""
        for (id, entry) in layout.entries.enumerated() where entry.definingUnit == unit {
            let callee = plan.compartments.first { $0.name == entry.compartment }
            let kind = callee?.privateStack == true && !(entry.isVariadic && entry.forwarded == nil)
                ? "private: the callee runs on its own stack" : "light: rights switched on the caller's stack"
            out += StubText.header(kind: entry.isCallback ? "trampoline" : "gate", name: entry.function,
                                   result: entry.resultType, params: Array(entry.parameters.dropLast(entry.forwarded?.count ?? 0)),
                                   variadic: entry.isVariadic, location: entry.location,
                                   detail: "gate \(id) into compartment '\(entry.compartment)' (\(kind))"
                                       + StubText.forwardedDetail(entry.forwarded))
            out += MpkStub(entry: entry, id: id, compartmentIndex: layout.index(of: entry.compartment),
                           privateStack: callee?.privateStack ?? false, compartmentCount: layout.compartments.count,
                           callers: entry.callers.map { $0.map(layout.index(of:)) }).text()
        }
        return StubText.wrap(out, backend: name, prelude: "#include \"bh_mpk.h\"\n")
    }

    public func extraFiles(plan: Plan, objects: [(object: String, compartment: String)]) -> [String: String] {
        let layout = ProcessLayout(plan, backend: .mpk)
        var files = [
            "bh/bh_mpk.h": Templates.render("Mpk/bh_mpk.h"),
            "bh/bh_mpk_internal.h": Templates.render("Mpk/bh_mpk_internal.h"),
            "bh/bh_scan_pkru.c": Templates.render("Mpk/bh_scan_pkru.c"),
            "bh/bh_program.c": Self.programFile(plan: plan, layout: layout),
            "bh/bulkhead.ld": LinkerScript(layout: layout, objects: objects).text() + Self.destructors(layout: layout, objects: objects),
        ]
        for unit in Self.runtimeUnits { files["bh/\(unit).c"] = Templates.render("Mpk/\(unit).c") }
        return files
    }

    /// The mpk runtime's files (Templates/Mpk), each compiled into the program in no compartment: start-up,
    /// keys, signals and exit; the malloc family (-fno-builtin-malloc: it is malloc); longjmp across gates.
    static let runtimeUnits = ["bh_mpk_runtime", "bh_mpk_heap", "bh_mpk_unwind"]

    /// As under process: bh/ on the include path; the libraries of `shared.heap` allocate from the shared heap.
    public func compileFlags(compileFolder: String) -> [String] { ProcessBackend(generator: "").compileFlags(compileFolder: compileFolder) }
    public func postCompile(library: String, plan: Plan) -> [String] { ProcessBackend(generator: "").postCompile(library: library, plan: plan) }

    public func makefileRules(plan: Plan) -> String {
        """

        # the mpk runtime and the program's description, in no compartment (key 0)
        obj/bh/bh_program.o: bh/bh_program.c bh/bh_mpk.h
        \t@mkdir -p $(@D)
        \t$(CC) -O2 -c bh/bh_program.c -o $@
        obj/bh/bh_mpk_%.o: bh/bh_mpk_%.c bh/bh_mpk.h bh/bh_mpk_internal.h
        \t@mkdir -p $(@D)
        \t$(CC) -O2 -fno-builtin-malloc -c $< -o $@
        # the scan of the linked program for WRPKRU and XRSTOR outside the gates (built for this machine)
        obj/bh/bh_scan_pkru: bh/bh_scan_pkru.c
        \t@mkdir -p $(@D)
        \t$${BH_HOST_CC:-cc} -O2 -o $@ bh/bh_scan_pkru.c

        """
    }

    public var linkObjects: [String] { ["obj/bh/bh_program.o"] + Self.runtimeUnits.map { "obj/bh/\($0).o" } }
    public var linkFlags: [String] {
        ["-Wl,-T,bh/bulkhead.ld", "-Wl,--wrap=main", "-Wl,--wrap=sigaction", "-Wl,--wrap=signal", "-Wl,--wrap=__cxa_atexit",
         "-Wl,--wrap=on_exit", "-Wl,--wrap=pthread_create", "-Wl,--wrap=longjmp,--wrap=_longjmp,--wrap=siglongjmp,--wrap=__longjmp_chk",
         "-Wl,-z,now", "-pthread"]
    }
    public var linkDependencies: [String] { ["bh/bulkhead.ld", "obj/bh/bh_scan_pkru"] }
    public var postLink: [String] { ["obj/bh/bh_scan_pkru $@ --allow bh_gate_text || { rm -f $@; exit 1; }"] }

    /// The compartments the mpk backend can key: 15 (keys 1-15; key 0 is the shared key).
    public static let maxCompartments = 15

    /// Each compartment's destructors move out of the program's .fini_array (which the C library runs with
    /// whatever rights the exiting thread has) into `bh_fini_<c>`, which the runtime runs with its rights.
    static func destructors(layout: ProcessLayout, objects: [(object: String, compartment: String)]) -> String {
        var s = "SECTIONS\n{\n"
        for c in layout.compartments {
            let files = objects.filter { $0.compartment == c.name }.map(\.object)
            s += "  .bh_fini_\(c.name) : {\n    bh_fini_\(c.name)_start = .;\n"
            s += "    " + files.map { "KEEP(*\($0)(SORT_BY_INIT_PRIORITY(.fini_array.*) SORT_BY_INIT_PRIORITY(.dtors.*)))" }.joined(separator: " ") + "\n"
            s += "    " + files.map { "KEEP(*\($0)(.fini_array .dtors))" }.joined(separator: " ") + "\n"
            s += "    bh_fini_\(c.name)_end = .;\n  }\n"
        }
        return s + "}\nINSERT BEFORE .fini_array;\n"
    }

    /// `bh/bh_program.c`: the compartments' regions, the gates' names, the constructor that starts the
    /// runtime and `bh_mpk_restore`, the one WRPKRU of a variable value, checked against every
    /// compartment's constant.
    static func programFile(plan: Plan, layout: ProcessLayout) -> String {
        var out = "/* Generated by bulkhead (mpk backend): the program's description for the runtime; edits here are discarded. */\n"
        out += "#include \"bh_mpk.h\"\n\n/* each compartment's sections, on pages of their own (bh/bulkhead.ld) */\n"
        let kinds = ["text", "rodata", "data", "bss"]
        for c in layout.compartments {
            out += "extern char " + (kinds + ["fini"]).map { "bh_\($0)_\(c.name)_start[], bh_\($0)_\(c.name)_end[]" }.joined(separator: ", ") + ";\n"
        }
        out += "extern char bh_shared_start[], bh_shared_end[];\n"
        out += "\nstatic const bh_mpk_compartment bh_compartments[] = {\n"
        for c in layout.compartments {
            let regions = kinds.map { kind in
                kind == "rodata" && c.privateRodata != true ? "{ 0, 0 }"
                    : "{ (uintptr_t)bh_\(kind)_\(c.name)_start, (uintptr_t)bh_\(kind)_\(c.name)_end }"
            }.joined(separator: ", ")
            out += "\t{ \"\(c.name)\", \(regions), { (uintptr_t)bh_fini_\(c.name)_start, (uintptr_t)bh_fini_\(c.name)_end } },\n"
        }
        out += "};\n\nstatic const char *const bh_gate_names[] = {\n"
        out += layout.entries.map { "\t\"\($0.function)\",\n" }.joined()
        if layout.entries.isEmpty { out += "\t0,\n" }
        out += "};\n\n"
        out += """
        static const bh_mpk_program bh_program = {
        \t"\(plan.program)", \(layout.compartments.count), bh_compartments, \(layout.entries.count), bh_gate_names,
        \t{ (uintptr_t)bh_shared_start, (uintptr_t)bh_shared_end },
        };

        /* Writes PKRU from a variable (a gate's saved rights, a signal handler's compartment); a jump to the
         * WRPKRU with any value but a compartment's stops at ud2. */
        __attribute__((section("bh_gate_text"), noinline)) void bh_mpk_restore(uint32_t bh_v)
        {
        \t__asm__ volatile("xor %%ecx, %%ecx\\n\\txor %%edx, %%edx\\n\\twrpkru\\n\\t"

        """
        for i in layout.compartments.indices { out += "\t                 \"cmp %\(i + 1), %%eax\\n\\tje 1f\\n\\t\"\n" }
        out += "\t                 \"ud2\\n1:\\n\\txor %%esi, %%esi\\n\\txor %%edi, %%edi\\n\\txor %%r8d, %%r8d\\n\\txor %%r9d, %%r9d\\n\\txor %%r10d, %%r10d\\n\\txor %%r11d, %%r11d\"\n"
        out += "\t                 : \"+a\"(bh_v)"
        out += layout.compartments.indices.isEmpty ? "" : " : " + layout.compartments.indices.map { "\"i\"(BH_MPK_PKRU(\($0)))" }.joined(separator: ", ")
        out += (layout.compartments.indices.isEmpty ? " :" : "") + " : \"rcx\", \"rdx\", \"rsi\", \"rdi\", \"r8\", \"r9\", \"r10\", \"r11\", \"memory\", \"cc\");\n}\n\n"
        if plan.compartments.contains(where: { $0.hardening.contains("asan") }) { out += ProcessProgramFile.asanOptions }
        out += """
        /* before main(), and before the program's own constructors */
        __attribute__((constructor(101))) static void bh_start(void)
        {
        \tbh_mpk_start(&bh_program);
        }

        """
        return out
    }
}

/// One gate or trampoline under mpk: a light gate. The stub (section `bh_gate_text`) copies each marshalled
/// argument into the shared heap, switches to the callee's rights (a constant), calls, copies a marshalled
/// result into a per-thread shared buffer while it still has the callee's rights, switches back to the
/// rights it saved, and copies `out` arguments back.
struct MpkStub {
    var entry: ProcessLayout.Entry
    var id: Int
    var compartmentIndex: Int
    /// `gate: private` on the callee's compartment (a `va_list` gate stays light: its list points into the
    /// caller's frame).
    var privateStack = false
    /// How many compartments have keys: a private gate checks the rights it restores against each one's.
    var compartmentCount = 1
    /// The compartments the plan lets call it (by index); nil: any. Checked on entry by the caller's rights
    /// (PKRU, which code cannot forge without a WRPKRU), not by the forgeable current-compartment record.
    var callers: [Int]? = nil

    /// PKRU of compartment `i` (bh_mpk.h's BH_MPK_PKRU): every key denied but 0 and i + 1.
    static func pkru(_ i: Int) -> UInt32 { 0xffff_fffc & ~(UInt32(3) << UInt32(2 * (i + 1))) }

    /// With the callee's rights: a marshalled result (pointing into the callee's memory) copied into a shared
    /// buffer of the thread's, valid until its next call of this gate.
    private func resultCopy(_ r: Plan.Marshal, bytes: (Plan.Marshal, String, String) -> String) -> [String] {
        ["if (bh_r) {",
         "\tstatic __thread void *bh_rb;",
         "\t__SIZE_TYPE__ bh_rn = \(bytes(r, "bh_r", "size_\(id)_ret"));",
         "\tvoid *bh_nb = bh_shared_realloc(bh_rb, bh_rn ? bh_rn : 1);",
         "\tif (!bh_nb)",
         "\t\t__builtin_trap();",
         "\tbh_rb = bh_nb;",
         "\t__builtin_memcpy(bh_rb, (const void *)bh_r, bh_rn);",
         "\tbh_r = (__typeof__(bh_r))bh_rb;",
         "}"]
    }

    /// The gate's record on this thread's list of active gates (bh_mpk.h's bh_mpk_frame), for a longjmp that
    /// leaves the gate; written with the caller's rights, before the switch.
    private func pushFrame(_ f: String, sp: String, top: String, prevSP: String, context: String) -> [String] {
        ["\(f).sp = \(sp);", "\(f).top = \(top);", "\(f).prev_sp = \(prevSP);", "\(f).ctx = \(context);",
         "\(f).pkru = bh_saved;", "\(f).caller = bh_prev;", "\(f).gate = bh_prev_gate;", "\(f).callee = \(compartmentIndex);",
         "\(f).outer = bh_mpk_frames;", "bh_mpk_frames = &\(f);"]
    }

    private var params: [Parameter] { entry.parameters }
    private var args: [Parameter] { StubText.argumentNames(params) }
    private var forwarded: Int? { entry.forwarded?.count }
    private var isVoid: Bool { CDeclarator.isVoid(entry.resultType) }

    func text() -> String {
        var helpers = ""
        // a `size` or `count` expression names parameters: evaluated by a function whose parameters carry those
        // names, where nothing generated is in scope
        func expression(_ expr: String, tag: String) -> String {
            let words = Set(expr.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
            let named = params.indices.filter { words.contains(params[$0].name) }
            guard !named.isEmpty else { return "(__SIZE_TYPE__)(\(expr))" }
            let head = StubText.definitionHead(storage: "static __attribute__((section(\"bh_gate_text\")))", name: "bh_\(tag)",
                                               result: "__SIZE_TYPE__", params: named.map { params[$0] }, variadic: false)
            helpers += head.typedef + head.head + "\n{\n\treturn (__SIZE_TYPE__)(\(expr));\n}\n\n"
            return "bh_\(tag)(\(named.map { args[$0].name }.joined(separator: ", ")))"
        }
        func bytes(_ m: Plan.Marshal, _ pointer: String, tag: String) -> String {
            if m.isString { return "__builtin_strlen((const char *)\(pointer)) + 1" }
            if let size = m.size { return expression(size, tag: tag) }
            if let count = m.count { return "sizeof(*\(pointer)) * \(expression(count, tag: tag))" }
            return "sizeof(*\(pointer))"
        }

        let storage = entry.isStatic ? "static __attribute__((section(\"bh_gate_text\")))" : "__attribute__((section(\"bh_gate_text\")))"
        let head = StubText.definitionHead(storage: storage, name: entry.stub, result: entry.resultType,
                                           params: Array(args.dropLast(forwarded ?? 0)), variadic: entry.isVariadic)
        var lines = forwarded.map { StubText.forwardedArguments(args, forwarded: $0) } ?? []
        let viaList = entry.isVariadic && forwarded == nil
        let target = viaList ? (entry.variadicVia ?? entry.function) : entry.function
        // through a pointer the compiler cannot see through: the callee is never inlined into the gate's section
        if let callers {
            // 0: every right, before isolation (constructors); the callee's own compartment may use its gate (a
            // shared macro or header spells it there)
            let allowed = (["0"] + Set(callers + [compartmentIndex]).sorted().map { String(format: "0x%08x", Self.pkru($0)) }).map { "bh_in != \($0)" }.joined(separator: " && ")
            lines.append("__UINT32_TYPE__ bh_in = bh_mpk_rdpkru();")
            lines.append("if (\(allowed))")
            lines.append("\tbh_mpk_refused(\(id), bh_in);")
        }
        lines.append("__typeof__(&\(target)) bh_fn = \(target);")
        lines.append("__asm__(\"\" : \"+r\"(bh_fn));")
        var callArgs = args.map(\.name)
        var copyBack: [String] = []
        for m in entry.marshalling {
            guard let name = m.parameter, let i = params.firstIndex(where: { $0.name == name }) else { continue }
            let p = args[i].name, n = "bh_n\(i)", c = "bh_c\(i)"
            lines.append("__SIZE_TYPE__ \(n) = \(p) ? \(bytes(m, p, tag: "size_\(id)_\(i)")) : 0;")
            lines.append("void *\(c) = \(p) ? bh_shared_malloc(\(n) ? \(n) : 1) : (void *)0;")
            lines.append("if (\(p) && !\(c))")
            lines.append("\t__builtin_trap();")
            lines.append(m.direction != "out" || m.isString ? "if (\(p)) __builtin_memcpy(\(c), (const void *)\(p), \(n));"
                                                            : "if (\(p)) __builtin_memset(\(c), 0, \(n));")
            callArgs[i] = "(__typeof__(\(p)))\(c)"
            if m.direction != "in" { copyBack.append("if (\(p)) __builtin_memcpy((void *)\(p), \(c), \(n));") }
            copyBack.append("bh_shared_free(\(c));")
        }
        lines.append("__UINT32_TYPE__ bh_saved = bh_mpk_rdpkru();")
        lines.append("int bh_prev = bh_mpk_current, bh_prev_gate = bh_mpk_gate;")
        lines.append("bh_mpk_current = \(compartmentIndex);")
        lines.append("bh_mpk_gate = \(id);")
        var prelude = ""
        if privateStack && !viaList {
            // `gate: private`: the arguments travel in a context on the shared heap; one asm block moves to the
            // callee's stack, then writes PKRU (nothing touches memory in between: the caller's stack may carry a
            // key the callee lacks, and the callee's one the caller lacks), calls a thunk that reads the context,
            // and on the way back moves to the caller's stack, then restores its rights, checked against every
            // compartment's constant
            let ctx = "bh_pctx_\(id)", thunk = "bh_thunk_\(id)"
            prelude += "struct \(ctx) {\n\tbh_mpk_frame f;\n\t__typeof__(&\(target)) fn;\n"
            for i in args.indices { prelude += "\t\(CDeclarator.field(args[i].type, "a\(i)"));\n" }
            if !isVoid { prelude += "\t\(CDeclarator.field(entry.resultType, "r"));\n" }
            prelude += "};\nstatic __attribute__((section(\"bh_gate_text\"), used)) void \(thunk)(void *bh_p)\n{\n"
            prelude += "\tstruct \(ctx) *bh_c = (struct \(ctx) *)bh_p;\n"
            let invoke = "bh_c->fn(\(args.indices.map { "bh_c->a\($0)" }.joined(separator: ", ")))"
            prelude += isVoid ? "\t\(invoke);\n" : "\t__typeof__(\(invoke)) bh_r = \(invoke);\n"
            if let r = entry.result { prelude += resultCopy(r, bytes: bytes).map { "\t\($0)\n" }.joined() }
            if !isVoid { prelude += "\tbh_c->r = bh_r;\n" }
            prelude += "}\n"
            lines.append("struct \(ctx) *bh_c = (struct \(ctx) *)bh_stack_alloc(sizeof *bh_c, _Alignof(struct \(ctx)));")
            lines.append("bh_c->fn = bh_fn;")
            for i in args.indices { lines.append("bh_c->a\(i) = \(callArgs[i]);") }
            lines.append("void (*bh_thunk)(void *) = \(thunk);")
            lines.append("__UINTPTR_TYPE__ bh_here;")
            lines.append("__asm__ volatile(\"mov %%rsp, %0\" : \"=r\"(bh_here));")
            lines.append("__UINTPTR_TYPE__ bh_prev_sp = bh_mpk_sp[bh_prev];")
            lines.append("bh_mpk_sp[bh_prev] = (bh_here - 256) & ~(__UINTPTR_TYPE__)15;")
            lines.append("__UINTPTR_TYPE__ bh_top = bh_mpk_stack_top(\(compartmentIndex)) & ~(__UINTPTR_TYPE__)15;")
            lines += pushFrame("bh_c->f", sp: "bh_here", top: "bh_top", prevSP: "bh_prev_sp", context: "bh_c")
            let callee = String(format: "0x%08x", Self.pkru(compartmentIndex))
            let checks = (0..<compartmentCount).map { "\"cmp $\(String(format: "0x%08x", Self.pkru($0))), %%eax\\n\\tje 2f\\n\\t\"" }.joined(separator: "\n\t\t")
            lines.append("""
                __asm__ volatile("mov %[fn], %%r13\\n\\tmov %[arg], %%r14\\n\\tmov %[top], %%r15\\n\\tmov %[saved], %%r12d\\n\\t"
                \t\t"mov %%rsp, %%rbx\\n\\tmov %%r15, %%rsp\\n\\t"
                \t\t"mov $\(callee), %%eax\\n\\txor %%ecx, %%ecx\\n\\txor %%edx, %%edx\\n\\twrpkru\\n\\tcmp $\(callee), %%eax\\n\\tje 1f\\n\\tud2\\n1:\\n\\t"
                \t\t"xor %%esi, %%esi\\n\\txor %%r8d, %%r8d\\n\\txor %%r9d, %%r9d\\n\\txor %%r10d, %%r10d\\n\\txor %%r11d, %%r11d\\n\\t"
                \t\t"mov %%r14, %%rdi\\n\\tcall *%%r13\\n\\t"
                \t\t"mov %%rbx, %%rsp\\n\\tmov %%r12d, %%eax\\n\\txor %%ecx, %%ecx\\n\\txor %%edx, %%edx\\n\\twrpkru\\n\\t"
                \t\t\(checks)
                \t\t"ud2\\n2:\\n\\txor %%esi, %%esi\\n\\txor %%edi, %%edi\\n\\txor %%r8d, %%r8d\\n\\txor %%r9d, %%r9d\\n\\txor %%r10d, %%r10d\\n\\txor %%r11d, %%r11d"
                \t\t:: [fn] "m"(bh_thunk), [arg] "m"(bh_c), [top] "m"(bh_top), [saved] "m"(bh_saved)
                \t\t: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "rbx", "r12", "r13", "r14", "r15",
                \t\t  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                \t\t  "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
                """)
            if !isVoid { lines.append("__typeof__(bh_c->r) bh_r = bh_c->r;") }
        }
        var call: String
        if viaList {
            lines.append("__builtin_va_list bh_ap;")
            lines.append("__builtin_va_start(bh_ap, \(args.last!.name));")
            callArgs.append("bh_ap")
        }
        call = "bh_fn(\(callArgs.joined(separator: ", ")))"
        if prelude.isEmpty {
            lines.append("bh_mpk_frame bh_fr;")
            lines.append("__asm__ volatile(\"mov %%rsp, %0\" : \"=r\"(bh_fr.sp));")
            lines += pushFrame("bh_fr", sp: "bh_fr.sp", top: "bh_fr.sp", prevSP: "0", context: "(void *)0")
            lines.append("BH_MPK_SWITCH(BH_MPK_PKRU(\(compartmentIndex)));")
        }
        if isVoid {
            if prelude.isEmpty { lines.append("\(call);") }
        } else {
            if prelude.isEmpty { lines.append("__typeof__(\(call)) bh_r = \(call);") }
            if prelude.isEmpty, let r = entry.result { lines += resultCopy(r, bytes: bytes) }
        }
        if prelude.isEmpty { lines += ["bh_mpk_restore(bh_saved);", "bh_mpk_frames = bh_fr.outer;"] }
        if viaList { lines.append("__builtin_va_end(bh_ap);") }
        lines.append("bh_mpk_current = bh_prev;")
        lines.append("bh_mpk_gate = bh_prev_gate;")
        if !prelude.isEmpty { lines += ["bh_mpk_frames = bh_c->f.outer;", "bh_mpk_sp[bh_prev] = bh_prev_sp;", "bh_stack_free(bh_c);"] }
        lines += copyBack
        if !isVoid { lines.append("return bh_r;") }
        return helpers + prelude + head.typedef + head.head + "\n{\n" + lines.map { "\t\($0)\n" }.joined() + "}\n"
    }
}
