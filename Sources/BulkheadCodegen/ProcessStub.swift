import BulkheadAnalysis
import BulkheadModel

/// The C of one gate (or trampoline) under the process backend: its frame, its entry (callee side) and its
/// stub (caller side, in section `bh_gate_text`).
struct ProcessStub {
    var entry: ProcessLayout.Entry
    var id: Int
    var compartmentIndex: Int

    private var frame: String { "bh_frame_\(id)" }
    private var entrySymbol: String { ProcessLayout.entrySymbol(id, entry.function) }
    private var isVoid: Bool { CDeclarator.isVoid(entry.resultType) }
    private var params: [Parameter] { entry.parameters }

    /// A printf-style function (variadic through its va_list sibling, or taking a va_list): the caller formats
    /// the text and the callee receives "%s" and the text, since a va_list cannot cross address spaces.
    private var formatted: (format: Parameter, fixed: [Parameter], takesList: Bool, target: String)? {
        let takesList = params.last.map { $0.type.contains("va_list") || $0.type.contains("__va_list_tag") } ?? false
        guard entry.isVariadic || takesList else { return nil }
        let named = takesList ? Array(params.dropLast()) : params
        guard let format = named.last else { return nil }
        return (format, Array(named.dropLast()), takesList, takesList ? entry.function : (entry.variadicVia ?? entry.function))
    }

    func text() -> String {
        // the result first: right after the header, in the channel's hot line (which crosses anyway), so the
        // callee writes no other line on the way back, and a small result is read from that line
        var out = "struct \(frame) {\n\tbh_frame h;\n"
        if !isVoid { out += "\t\(CDeclarator.field(entry.resultType, "ret"));\n" }
        if entry.result != nil { out += "\t__SIZE_TYPE__ ret_size;\n" }
        let fields = formatted.map { $0.fixed.map(\.name) + ["bh_text"] } ?? params.map(\.name)
        for p in formatted?.fixed ?? params { out += "\t\(CDeclarator.field(p.type, p.name));\n" }
        if formatted != nil { out += "\tconst char *bh_text;\n" }
        out += "};\n\n"
        if let f = formatted, !isFormatString(f.format.type) {
            return out + "#error \"bulkhead: gate '\(entry.function)' is variadic but not printf-style (its last named parameter is not a format string): it cannot cross address spaces\"\n"
        }
        out += entryFunction(fields: fields)
        out += stubFunction()
        return out
    }

    private func isFormatString(_ type: String) -> Bool { type.contains("char") && type.contains("*") }

    // MARK: Callee side

    private func entryFunction(fields: [String]) -> String {
        // the frame is the caller's to change at any time: read once, into private memory, then checked
        var lines = ["struct \(frame) bh_l;", "if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))", "\treturn;"]
        if !isVoid { lines.append("struct \(frame) *bh_f = (struct \(frame) *)bh_h;  /* for the result */") }
        lines += fields.filter { $0 != "bh_text" }.map { "__typeof__(bh_l.\($0)) \($0) = bh_l.\($0);" }
        if formatted != nil { lines.append("if (bh_check_lent_string(bh_l.bh_text, \"bh_text\"))\n\t\treturn;") }
        lines += lentChecks()
        let marshalled = Set(entry.marshalling.compactMap(\.parameter))
        lines += (formatted?.fixed ?? params).filter { $0.isStdioStream && !marshalled.contains($0.name) }
            .map { "bh_check_stream(\($0.name), \"\($0.name)\");" }
        var vcall = ""
        let call: String
        if let f = formatted {
            let fixed = f.fixed
            let head = StubText.definitionHead(storage: "static", name: "bh_vcall_\(id)", result: entry.resultType,
                                               params: fixed + [Parameter(name: "bh_fmt", type: "const char *")], variadic: true)
            let args = (fixed.map(\.name) + ["bh_fmt", "bh_ap"]).joined(separator: ", ")
            vcall = head.typedef + head.head + "\n{\n\t__builtin_va_list bh_ap;\n\t__builtin_va_start(bh_ap, bh_fmt);\n"
            vcall += isVoid ? "\t\(f.target)(\(args));\n\t__builtin_va_end(bh_ap);\n}\n\n"
                : "\t__typeof__(\(f.target)(\(args))) bh_r = \(f.target)(\(args));\n\t__builtin_va_end(bh_ap);\n\treturn bh_r;\n}\n\n"
            call = "bh_vcall_\(id)(\((fixed.map(\.name) + ["\"%s\"", "bh_l.bh_text"]).joined(separator: ", ")))"
        } else {
            call = "\(entry.function)(\(params.map(\.name).joined(separator: ", ")))"
        }
        if isVoid {
            lines.append("\(call);")
        } else if let r = entry.result {
            lines.append("__typeof__(bh_f->ret) bh_r = \(call);")
            lines.append("if (bh_r) {")
            lines.append("\t__SIZE_TYPE__ bh_n = \(byteCount(r, pointer: "bh_r"));")
            lines.append("\tvoid *bh_c = bh_reply_alloc(bh_h, bh_n, \(Self.alignment("bh_n")));")
            lines.append("\t__builtin_memcpy(bh_c, (const void *)bh_r, bh_n);")
            lines.append("\tbh_f->ret = (__typeof__(bh_f->ret))bh_c;")
            lines.append("\tbh_f->ret_size = bh_n;")
            lines.append("} else {")
            lines.append("\tbh_f->ret = bh_r;")
            lines.append("\tbh_f->ret_size = 0;")
            lines.append("}")
        } else {
            lines.append("__typeof__(bh_f->ret) bh_r = \(call);")
            lines.append(Self.store("bh_f->ret", "bh_r"))
        }
        return vcall + "void \(entrySymbol)(bh_frame *bh_h);\nvoid \(entrySymbol)(bh_frame *bh_h)\n{\n" + lines.map { "\t\($0)\n" }.joined() + "}\n\n"
    }

    /// Every marshalled pointer must lie in the memory the caller lent with the frame (a fault of the caller
    /// otherwise): the caller could aim it at the callee's own memory.
    private func lentChecks() -> [String] {
        let carried = Set((formatted?.fixed ?? params).map(\.name))
        return entry.marshalling.compactMap { m -> String? in
            guard let p = m.parameter, carried.contains(p) else { return nil }
            let check: String
            if m.isString { check = "bh_check_lent_string((const char *)\(p), \"\(p)\")" }
            else if let size = m.size { check = "bh_check_lent(\(p), 1, (__SIZE_TYPE__)(\(size)), \"\(p)\")" }
            else if let count = m.count { check = "bh_check_lent(\(p), sizeof(*\(p)), (__SIZE_TYPE__)(\(count)), \"\(p)\")" }
            else { check = "bh_check_lent(\(p), sizeof(*\(p)), 1, \"\(p)\")" }
            return "if (\(check))\n\t\treturn;"
        }
    }

    /// A marshalled buffer's alignment on the shared stack: one longer than a cache line starts a line of its
    /// own, so that copying it in does not write the channel's hot line while the callee polls it (measured:
    /// a 4 KiB `inout` buffer 245-310 ns at 16, 234-236 ns at 64); a short one may share the frame's line.
    static func alignment(_ size: String) -> String { "\(size) > 64 ? 64 : 16" }

    /// A copy into a frame field that also works for structs and unions with const members.
    static func store(_ field: String, _ value: String) -> String {
        "__builtin_memcpy(&\(field), &\(value), sizeof \(field));"
    }

    /// The bytes a marshalled pointer covers: `string`, `size`, `count` elements, or one element.
    private func byteCount(_ m: Plan.Marshal, pointer: String) -> String {
        if m.isString { return "__builtin_strlen((const char *)\(pointer)) + 1" }
        if let size = m.size { return "(__SIZE_TYPE__)(\(size))" }
        if let count = m.count { return "sizeof(*\(pointer)) * (__SIZE_TYPE__)(\(count))" }
        return "sizeof(*\(pointer))"
    }

    // MARK: Caller side

    private func stubFunction() -> String {
        let storage = entry.isStatic ? "static __attribute__((section(\"bh_gate_text\")))" : "__attribute__((section(\"bh_gate_text\")))"
        let head = StubText.definitionHead(storage: storage, name: entry.stub, result: entry.resultType, params: params,
                                           variadic: entry.isVariadic)
        var lines: [String] = []
        // already in the callee's compartment (a shared macro or header, or a callback called at home)
        lines.append("if (bh_self() == \(compartmentIndex)) {")
        lines += StubText.directCall(entry.function, variadicVia: entry.variadicVia, params: params,
                                     result: entry.resultType, variadic: entry.isVariadic).map { "\t" + $0 }
        lines.append("}")
        lines.append("struct \(frame) *bh_f = (struct \(frame) *)bh_frame_alloc(\(id), sizeof *bh_f, _Alignof(struct \(frame)));")
        if let f = formatted {
            lines.append("__builtin_va_list bh_ap, bh_ap2;")
            lines.append(f.takesList ? "__builtin_va_copy(bh_ap, \(params.last!.name));" : "__builtin_va_start(bh_ap, \(f.format.name));")
            lines.append("__builtin_va_copy(bh_ap2, bh_ap);")
            lines.append("int bh_len = __builtin_vsnprintf((char *)0, 0, \(f.format.name), bh_ap2);")
            lines.append("__builtin_va_end(bh_ap2);")
            lines.append("char *bh_text = (char *)bh_frame_alloc(\(id), bh_len > 0 ? (__SIZE_TYPE__)bh_len + 1 : 1, 1);")
            lines.append("bh_text[0] = 0;")
            lines.append("if (bh_len > 0)")
            lines.append("\t__builtin_vsnprintf(bh_text, (__SIZE_TYPE__)bh_len + 1, \(f.format.name), bh_ap);")
            lines.append("__builtin_va_end(bh_ap);")
            lines += f.fixed.map { Self.store("bh_f->\($0.name)", $0.name) }
            lines.append("bh_f->bh_text = bh_text;")
        } else {
            lines += params.map { Self.store("bh_f->\($0.name)", $0.name) }
        }
        var copyBack: [String] = []
        for m in entry.marshalling {
            // a printf-style function's format travels as the formatted text
            let carried = formatted?.fixed ?? params
            guard let p = m.parameter, carried.contains(where: { $0.name == p }) else { continue }
            let copyIn = m.direction != "out" || m.isString
            lines.append("__SIZE_TYPE__ bh_n_\(p) = \(p) ? \(byteCount(m, pointer: p)) : 0;")
            lines.append("void *bh_c_\(p) = 0;")
            lines.append("if (\(p)) {")
            lines.append("\tbh_c_\(p) = bh_frame_alloc(\(id), bh_n_\(p), \(Self.alignment("bh_n_\(p)")));")
            lines.append(copyIn ? "\t__builtin_memcpy(bh_c_\(p), (const void *)\(p), bh_n_\(p));" : "\t__builtin_memset(bh_c_\(p), 0, bh_n_\(p));")
            lines.append("\tbh_f->\(p) = (__typeof__(bh_f->\(p)))bh_c_\(p);")
            lines.append("}")
            if m.direction != "in" {
                copyBack.append("if (\(p))")
                copyBack.append("\t__builtin_memcpy((void *)\(p), bh_c_\(p), bh_n_\(p));")
            }
        }
        lines.append("bh_call(\(id), &bh_f->h);")
        lines.append("if (bh_f->h.status == BH_FAULTED) {")
        lines.append("\tbh_stack_free(bh_f);")
        lines.append("\t" + faultedReturn())
        lines.append("}")
        lines += copyBack
        if isVoid {
            lines.append("bh_stack_free(bh_f);")
        } else {
            lines.append("__typeof__(bh_f->ret) bh_r = bh_f->ret;")
            if entry.result != nil {
                // the result pointed into the callee's memory: keep a copy per thread, valid until the next call
                lines.append("if (bh_r) {")
                lines.append("\tstatic __thread void *bh_rb;")
                lines.append("\tstatic __thread __SIZE_TYPE__ bh_rc;")
                lines.append("\textern void *realloc(void *, __SIZE_TYPE__);")
                lines.append("\tif (bh_f->ret_size > bh_rc) {")
                lines.append("\t\tbh_rb = realloc(bh_rb, bh_f->ret_size);")
                lines.append("\t\tbh_rc = bh_f->ret_size;")
                lines.append("\t}")
                lines.append("\t__builtin_memcpy(bh_rb, (const void *)bh_r, bh_f->ret_size);")
                lines.append("\tbh_r = (__typeof__(bh_r))bh_rb;")
                lines.append("}")
            }
            lines.append("bh_stack_free(bh_f);")
            lines.append("return bh_r;")
        }
        return head.typedef + head.head + "\n{\n" + lines.map { "\t\($0)\n" }.joined() + "}\n"
    }

    /// What the gate returns when the callee's compartment faulted and was restarted.
    private func faultedReturn() -> String {
        if isVoid { return "return;" }
        if let e = entry.errorReturn { return "return (\(CDeclarator.field(entry.resultType, "")))(\(e));" }
        return "{ __typeof__(bh_f->ret) bh_zero; __builtin_memset(&bh_zero, 0, sizeof bh_zero); return bh_zero; }"
    }
}
