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
    /// The parameters as the stub and the entry name them (`bh_a<i>_<name>`): no name of the program is in
    /// scope in either, so none can clash with what they use.
    private var args: [Parameter] { StubText.argumentNames(params) }
    /// A parameter's field in the frame: `a<i>_<name>`, unlike every other field (`h`, `ret`, `ret_size`, `bh_text`).
    private func member(_ i: Int) -> String { StubText.fieldName(i, params[i]) }
    /// How many of the last parameters are arguments forwarded through `...` (a gate specialised to them).
    private var forwarded: Int? { entry.forwarded?.count }

    /// A printf-style function (variadic through its va_list sibling, or taking a va_list): the caller formats
    /// the text and the callee receives "%s" and the text, since a va_list cannot cross address spaces.
    /// `fixed`: the parameters before the format, which travel as they are (by index).
    private var formatted: (format: Int, fixed: Range<Int>, takesList: Bool, target: String)? {
        let takesList = params.last.map { $0.type.contains("va_list") || $0.type.contains("__va_list_tag") } ?? false
        guard (entry.isVariadic && forwarded == nil) || takesList else { return nil }
        let named = takesList ? params.count - 1 : params.count
        guard named > 0 else { return nil }
        return (named - 1, 0..<(named - 1), takesList, takesList ? entry.function : (entry.variadicVia ?? entry.function))
    }

    /// The parameters that travel in the frame, by index.
    private var carried: [Int] { formatted.map { Array($0.fixed) } ?? Array(params.indices) }

    func text() -> String {
        // the result first: right after the header, in the channel's hot line (which crosses anyway), so the
        // callee writes no other line on the way back, and a small result is read from that line
        var out = "struct \(frame) {\n\tbh_frame h;\n"
        if !isVoid { out += "\t\(CDeclarator.field(entry.resultType, "ret"));\n" }
        if entry.result != nil { out += "\t__SIZE_TYPE__ ret_size;\n" }
        for i in carried { out += "\t\(CDeclarator.field(params[i].type, member(i)));\n" }
        if formatted != nil { out += "\tconst char *bh_text;\n" }
        out += "};\n\n"
        if let f = formatted, !isFormatString(params[f.format].type) {
            return out + "#error \"bulkhead: gate '\(entry.function)' is variadic but not printf-style (its last named parameter is not a format string): it cannot cross address spaces\"\n"
        }
        out += expressionHelpers()
        out += entryFunction()
        out += stubFunction()
        return out
    }

    private func isFormatString(_ type: String) -> Bool { type.contains("char") && type.contains("*") }

    // MARK: Callee side

    private func entryFunction() -> String {
        // the frame is the caller's to change at any time: read once, into private memory, then checked
        var lines = ["struct \(frame) bh_l;", "if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))", "\treturn;"]
        if !isVoid { lines.append("struct \(frame) *bh_f = (struct \(frame) *)bh_h;  /* for the result */") }
        lines += carried.map { "__typeof__(bh_l.\(member($0))) \(args[$0].name) = bh_l.\(member($0));" }
        if formatted != nil { lines.append("if (bh_check_lent_string(bh_l.bh_text, \"bh_text\"))\n\t\treturn;") }
        lines += lentChecks()
        let marshalled = Set(entry.marshalling.compactMap(\.parameter))
        lines += carried.filter { params[$0].isStdioStream && !marshalled.contains(params[$0].name) }
            .map { "bh_check_stream(\(args[$0].name), \"\(params[$0].name)\");" }
        var vcall = ""
        let call: String
        if let f = formatted {
            let fixed = f.fixed.map { args[$0] }
            let head = StubText.definitionHead(storage: "static", name: "bh_vcall_\(id)", result: entry.resultType,
                                               params: fixed + [Parameter(name: "bh_fmt", type: "const char *")], variadic: true)
            let vargs = (fixed.map(\.name) + ["bh_fmt", "bh_ap"]).joined(separator: ", ")
            vcall = head.typedef + head.head + "\n{\n\t__builtin_va_list bh_ap;\n\t__builtin_va_start(bh_ap, bh_fmt);\n"
            vcall += isVoid ? "\t\(f.target)(\(vargs));\n\t__builtin_va_end(bh_ap);\n}\n\n"
                : "\t__typeof__(\(f.target)(\(vargs))) bh_r = \(f.target)(\(vargs));\n\t__builtin_va_end(bh_ap);\n\treturn bh_r;\n}\n\n"
            call = "bh_vcall_\(id)(\((fixed.map(\.name) + ["\"%s\"", "bh_l.bh_text"]).joined(separator: ", ")))"
        } else {
            call = "\(entry.function)(\(args.map(\.name).joined(separator: ", ")))"
        }
        if isVoid {
            lines.append("\(call);")
        } else if let r = entry.result {
            lines.append("__typeof__(bh_f->ret) bh_r = \(call);")
            lines.append("if (bh_r) {")
            lines.append("\t__SIZE_TYPE__ bh_n = \(byteCount(r, pointer: "bh_r", tag: "size_\(id)_ret"));")
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
        entry.marshalling.compactMap { m -> String? in
            guard let name = m.parameter, let i = params.firstIndex(where: { $0.name == name }), carried.contains(i) else { return nil }
            let p = args[i].name, tag = "size_\(id)_\(i)"
            let check: String
            if m.isString { check = "bh_check_lent_string((const char *)\(p), \"\(name)\")" }
            else if let size = m.size { check = "bh_check_lent(\(p), 1, \(expression(size, tag: tag).call), \"\(name)\")" }
            else if let count = m.count { check = "bh_check_lent(\(p), sizeof(*\(p)), \(expression(count, tag: tag).call), \"\(name)\")" }
            else { check = "bh_check_lent(\(p), sizeof(*\(p)), 1, \"\(name)\")" }
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

    /// The bytes a marshalled pointer covers: `string`, `size`, `count` elements, or one element. `tag` names
    /// the expression's helper (`expression(_:tag:)`).
    private func byteCount(_ m: Plan.Marshal, pointer: String, tag: String) -> String {
        if m.isString { return "__builtin_strlen((const char *)\(pointer)) + 1" }
        if let size = m.size { return expression(size, tag: tag).call }
        if let count = m.count { return "sizeof(*\(pointer)) * \(expression(count, tag: tag).call)" }
        return "sizeof(*\(pointer))"
    }

    /// A `size` or `count` of the annotation file, a C expression over the parameters by their names: one
    /// that names none is written in place; one that names some is evaluated by a function of its own whose
    /// parameters carry those names, where nothing generated is in scope (so a parameter named like a
    /// generated local cannot change its meaning).
    private func expression(_ expr: String, tag: String, type: String = "__SIZE_TYPE__") -> (call: String, helper: String) {
        let cast = type == "__SIZE_TYPE__" ? type : CDeclarator.field(type, "")
        let words = Set(expr.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
        let named = params.indices.filter { words.contains(params[$0].name) }
        guard !named.isEmpty else { return ("(\(cast))(\(expr))", "") }
        let name = "bh_\(tag)"
        let head = StubText.definitionHead(storage: "static __attribute__((section(\"bh_gate_text\")))", name: name,
                                           result: type, params: named.map { params[$0] }, variadic: false)
        let helper = head.typedef + head.head + "\n{\n\treturn (\(cast))(\(expr));\n}\n\n"
        return ("\(name)(\(named.map { args[$0].name }.joined(separator: ", ")))", helper)
    }

    /// The helpers of every expression the stub and the entry evaluate, in a fixed order.
    private func expressionHelpers() -> String {
        var out = ""
        for m in entry.marshalling {
            guard let p = m.parameter, let i = params.firstIndex(where: { $0.name == p }), let e = m.size ?? m.count, !m.isString else { continue }
            out += expression(e, tag: "size_\(id)_\(i)").helper
        }
        if let r = entry.result, let e = r.size ?? r.count, !r.isString { out += expression(e, tag: "size_\(id)_ret").helper }
        if let e = entry.errorReturn, !isVoid { out += expression(e, tag: "error_\(id)", type: entry.resultType).helper }
        return out
    }

    // MARK: Caller side

    private func stubFunction() -> String {
        let storage = entry.isStatic ? "static __attribute__((section(\"bh_gate_text\")))" : "__attribute__((section(\"bh_gate_text\")))"
        let head = StubText.definitionHead(storage: storage, name: entry.stub, result: entry.resultType,
                                           params: Array(args.dropLast(forwarded ?? 0)), variadic: entry.isVariadic)
        var lines = forwarded.map { StubText.forwardedArguments(args, forwarded: $0) } ?? []
        // already in the callee's compartment (a shared macro or header, or a callback called at home)
        lines.append("if (bh_self() == \(compartmentIndex)) {")
        lines += StubText.directCall(entry.function, variadicVia: entry.variadicVia, params: args,
                                     result: entry.resultType, variadic: entry.isVariadic && forwarded == nil).map { "\t" + $0 }
        lines.append("}")
        lines.append("struct \(frame) *bh_f = (struct \(frame) *)bh_frame_alloc(\(id), sizeof *bh_f, _Alignof(struct \(frame)));")
        if let f = formatted {
            lines.append("__builtin_va_list bh_ap, bh_ap2;")
            let format = args[f.format].name
            lines.append(f.takesList ? "__builtin_va_copy(bh_ap, \(args.last!.name));" : "__builtin_va_start(bh_ap, \(format));")
            lines.append("__builtin_va_copy(bh_ap2, bh_ap);")
            lines.append("int bh_len = __builtin_vsnprintf((char *)0, 0, \(format), bh_ap2);")
            lines.append("__builtin_va_end(bh_ap2);")
            lines.append("char *bh_text = (char *)bh_frame_alloc(\(id), bh_len > 0 ? (__SIZE_TYPE__)bh_len + 1 : 1, 1);")
            lines.append("bh_text[0] = 0;")
            lines.append("if (bh_len > 0)")
            lines.append("\t__builtin_vsnprintf(bh_text, (__SIZE_TYPE__)bh_len + 1, \(format), bh_ap);")
            lines.append("__builtin_va_end(bh_ap);")
            lines += f.fixed.map { Self.store("bh_f->\(member($0))", args[$0].name) }
            lines.append("bh_f->bh_text = bh_text;")
        } else {
            lines += params.indices.map { Self.store("bh_f->\(member($0))", args[$0].name) }
        }
        var copyBack: [String] = []
        for m in entry.marshalling {
            // a printf-style function's format travels as the formatted text
            guard let name = m.parameter, let i = params.firstIndex(where: { $0.name == name }), carried.contains(i) else { continue }
            let p = args[i].name, n = "bh_n\(i)", c = "bh_c\(i)", field = "bh_f->\(member(i))"
            let copyIn = m.direction != "out" || m.isString
            lines.append("__SIZE_TYPE__ \(n) = \(p) ? \(byteCount(m, pointer: p, tag: "size_\(id)_\(i)")) : 0;")
            lines.append("void *\(c) = 0;")
            lines.append("if (\(p)) {")
            lines.append("\t\(c) = bh_frame_alloc(\(id), \(n), \(Self.alignment(n)));")
            lines.append(copyIn ? "\t__builtin_memcpy(\(c), (const void *)\(p), \(n));" : "\t__builtin_memset(\(c), 0, \(n));")
            lines.append("\t\(field) = (__typeof__(\(field)))\(c);")
            lines.append("}")
            if m.direction != "in" {
                copyBack.append("if (\(p))")
                copyBack.append("\t__builtin_memcpy((void *)\(p), \(c), \(n));")
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
                // the callee wrote the frame and may still write it: its size is read once
                lines.append("\t__SIZE_TYPE__ bh_rn = *(volatile __SIZE_TYPE__ *)&bh_f->ret_size;")
                lines.append("\tif (bh_rn > bh_rc) {")
                lines.append("\t\tvoid *bh_nb = realloc(bh_rb, bh_rn);")
                lines.append("\t\tif (!bh_nb)")
                lines.append("\t\t\tbh_rn = 0;")
                lines.append("\t\telse {")
                lines.append("\t\t\tbh_rb = bh_nb;")
                lines.append("\t\t\tbh_rc = bh_rn;")
                lines.append("\t\t}")
                lines.append("\t}")
                lines.append("\t__builtin_memcpy(bh_rb, (const void *)bh_r, bh_rn);")
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
        if let e = entry.errorReturn { return "return \(expression(e, tag: "error_\(id)", type: entry.resultType).call);" }
        return "{ __typeof__(bh_f->ret) bh_zero; __builtin_memset(&bh_zero, 0, sizeof bh_zero); return bh_zero; }"
    }
}
