import BulkheadModel
import CClang

/// What function bodies do with their parameters, and how calls write their arguments: the facts that
/// `bulkhead suggest` works from. Collect only.
extension FactsCollector {
    /// Walks one function definition.
    func body(of fn: CXCursor) -> FunctionBody {
        var body = FunctionBody(usr: fn.usr, name: fn.spelling)
        var params: [String: Int] = [:]
        func pointee(_ t: CXType) -> String? {
            t.canonical.kind == CXType_Pointer ? clang_getPointeeType(t.canonical).canonical.spelling : nil
        }
        for i in 0..<max(Int(clang_Cursor_getNumArguments(fn)), 0) {
            let p = clang_Cursor_getArgument(fn, UInt32(i))
            params[p.usr] = i
            body.parameterPointees.append(pointee(p.type))
        }
        body.resultPointee = pointee(clang_getResultType(fn.type))
        var walker = BodyWalker(collector: self, params: params, body: body)
        for child in fn.children where child.kind == CXCursor_CompoundStmt { walker.visit(child, .read) }
        body = walker.body
        return body
    }

    /// How a call's argument is written.
    func argumentShape(_ arg: CXCursor) -> ArgumentShape {
        let e = Self.stripped(arg)
        switch e.kind {
        case CXCursor_StringLiteral:
            return .stringLiteral
        case CXCursor_DeclRefExpr:
            return .variable(e.spelling)
        case CXCursor_UnaryOperator where operatorText(e) == "&":
            if let operand = e.children.first.map(Self.stripped), operand.kind == CXCursor_DeclRefExpr { return .variable(operand.spelling) }
        case CXCursor_UnaryExpr:
            // sizeof x / sizeof(x): a variable operand (a type operand has no expression child)
            if let operand = e.children.first.map(Self.stripped), operand.kind == CXCursor_DeclRefExpr { return .sizeOf(operand.spelling) }
        default:
            break
        }
        return .other
    }

    /// Implicit casts and parentheses looked through.
    static func stripped(_ c: CXCursor) -> CXCursor {
        var e = c
        while e.kind == CXCursor_UnexposedExpr || e.kind == CXCursor_ParenExpr, let next = e.children.first { e = next }
        return e
    }

    /// The operator of a unary expression, read at its location (`*`, `&`, `++`, `--`, `-`, `!`, `~`).
    func operatorText(_ c: CXCursor) -> String? {
        guard let at = c.location.fileLocation, let first = byte(at: at.file, offset: at.offset) else { return nil }
        let second = byte(at: at.file, offset: at.offset + 1)
        if (first == UInt8(ascii: "+") || first == UInt8(ascii: "-")), second == first { return String(UnicodeScalar(first)) + String(UnicodeScalar(first)) }
        return String(UnicodeScalar(first))
    }

    /// The operator between a binary expression's operands (`=`, `+=`, `<`, ...); nil inside a macro.
    func binaryOperator(_ c: CXCursor) -> String? {
        let kids = c.children
        guard kids.count == 2, let lhsEnd = clang_getRangeEnd(kids[0].extent).fileLocation,
              let rhsStart = clang_getRangeStart(kids[1].extent).fileLocation, lhsEnd.file == rhsStart.file,
              let b = buffer(lhsEnd.file), lhsEnd.offset <= rhsStart.offset, rhsStart.offset <= b.count else { return nil }
        let text = b[lhsEnd.offset..<rhsStart.offset].filter { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }
        guard !text.isEmpty, text.count <= 3 else { return nil }
        return String(decoding: text, as: UTF8.self)
    }
}

/// One walk over a function body.
struct BodyWalker {
    enum Mode { case read, write, readWrite, address }

    let collector: FactsCollector
    /// Parameters by USR: their index.
    let params: [String: Int]
    var body: FunctionBody
    /// Local pointers that point into a parameter's memory (`T *q = p + i`, `T *t = &p[n]`), by USR.
    var aliases: [String: Int] = [:]

    init(collector: FactsCollector, params: [String: Int], body: FunctionBody) {
        self.collector = collector
        self.params = params
        self.body = body
    }

    mutating func visit(_ c: CXCursor, _ mode: Mode) {
        switch c.kind {
        case CXCursor_ArraySubscriptExpr:
            let kids = c.children
            guard kids.count == 2 else { return walk(c) }
            if let p = pointerParameter(kids[0]) {
                var a = access(p, mode, c)
                a.index = variables(in: kids[1])
                a.viewedAs = castView(kids[0])
                let index = FactsCollector.stripped(kids[1])
                if index.kind == CXCursor_IntegerLiteral, let at = index.location.fileLocation, let b = collector.buffer(at.file) {
                    a.constantIndex = Int(String(decoding: b[at.offset..<min(b.count, at.offset + 8)].prefix { $0 >= 48 && $0 <= 57 }, as: UTF8.self))
                }
                body.accesses.append(a)
            } else {
                visit(kids[0], mode)
            }
            visit(kids[1], .read)
        case CXCursor_UnaryOperator:
            let op = collector.operatorText(c)
            guard let operand = c.children.first else { return }
            if op == "*", let p = pointerParameter(operand) {
                var a = access(p, mode, c)
                a.viewedAs = castView(operand)
                body.accesses.append(a)
            } else if op == "++" || op == "--" {
                visit(operand, .readWrite)
            } else {
                visit(operand, op == "&" ? .address : .read)
            }
        case CXCursor_MemberRefExpr:
            if let base = c.children.first, let p = pointerParameter(base) {
                var a = access(p, mode, c)
                a.viewedAs = castView(base)
                body.accesses.append(a)
            } else {
                walk(c, mode)
            }
        case CXCursor_BinaryOperator, CXCursor_CompoundAssignOperator:
            let kids = c.children
            guard kids.count == 2 else { return walk(c) }
            let op = collector.binaryOperator(c)
            if c.kind == CXCursor_CompoundAssignOperator {
                visit(kids[0], .readWrite)
                visit(kids[1], .read)
            } else if op == "=" {
                visit(kids[0], .write)
                visit(kids[1], .read)
            } else {
                if let op, ["<", "<=", ">", ">=", "!=", "=="].contains(op) { compare(kids[0], kids[1], op) }
                visit(kids[0], .read)
                visit(kids[1], .read)
            }
        case CXCursor_CallExpr:
            call(c)
        case CXCursor_UnaryExpr:
            break   // sizeof, _Alignof: not evaluated
        case CXCursor_VarDecl:
            // a local pointer into a parameter's memory: its accesses are the parameter's
            if let initial = c.children.last, initial.isExpression, let p = root(initial),
               c.type.canonical.kind == CXType_Pointer {
                aliases[c.usr] = p
                // `const struct person *pa = a;` (a `const void *`): what the callee takes it for
                if FactsCollector.stripped(initial).kind == CXCursor_DeclRefExpr {
                    var a = access(p, .address, c)
                    a.viewedAs = clang_getPointeeType(c.type).spelling
                    body.accesses.append(a)
                }
            }
            walk(c)
        case CXCursor_ReturnStmt:
            if let value = c.children.first { returned(value) }
            walk(c)
        default:
            walk(c, mode)
        }
    }

    private mutating func walk(_ c: CXCursor, _ mode: Mode = .read) {
        for k in c.children { visit(k, mode) }
    }

    private func access(_ p: Int, _ mode: Mode, _ c: CXCursor) -> ParameterAccess {
        let kind: ParameterAccess.Kind
        switch mode {
        case .read: kind = .read
        case .write: kind = .write
        case .readWrite: kind = .readWrite
        case .address: kind = .addressed
        }
        return ParameterAccess(parameter: p, kind: kind, location: location(c))
    }

    private func location(_ c: CXCursor) -> SourceLocation {
        c.location.expansion.map(collector.sourceLocation) ?? SourceLocation(file: "", line: 0, column: 0)
    }

    /// The parameter an expression is, looking through casts and `p++`; nil when it is something else.
    private func parameter(_ c: CXCursor) -> Int? {
        var e = FactsCollector.stripped(c)
        if e.kind == CXCursor_CStyleCastExpr, let inner = e.children.last { e = FactsCollector.stripped(inner) }
        if e.kind == CXCursor_UnaryOperator, let op = collector.operatorText(e), op == "++" || op == "--",
           let operand = e.children.first {
            e = FactsCollector.stripped(operand)
        }
        guard e.kind == CXCursor_DeclRefExpr else { return nil }
        let target = e.referenced
        if !target.isNull, target.kind == CXCursor_VarDecl, let p = aliases[target.usr] { return p }
        guard !target.isNull, target.kind == CXCursor_ParmDecl else { return nil }
        return params[target.usr]
    }

    /// The parameter whose memory a pointer expression points into: `p`, `p + i`, `&p[i]`, `&p->f`, an alias.
    private func root(_ c: CXCursor) -> Int? {
        var e = FactsCollector.stripped(c)
        if e.kind == CXCursor_CStyleCastExpr, let inner = e.children.last { e = FactsCollector.stripped(inner) }
        if e.kind == CXCursor_BinaryOperator, let first = e.children.first, let p = pointerParameter(first) { return p }
        if e.kind == CXCursor_UnaryOperator, collector.operatorText(e) == "&", var operand = e.children.first {
            while [CXCursor_ArraySubscriptExpr, CXCursor_MemberRefExpr, CXCursor_ParenExpr, CXCursor_UnexposedExpr].contains(operand.kind),
                  let first = operand.children.first {
                if let p = pointerParameter(first), operand.kind != CXCursor_ParenExpr, operand.kind != CXCursor_UnexposedExpr { return p }
                operand = first
            }
            return nil
        }
        return pointerParameter(e)
    }

    /// `const int` for `*(const int *)p`: what a cast makes of the pointer, if it goes through one.
    private func castView(_ c: CXCursor) -> String? {
        let s = FactsCollector.stripped(c)
        guard s.kind == CXCursor_CStyleCastExpr else { return nil }
        let t = s.type
        guard t.canonical.kind == CXType_Pointer else { return nil }
        return clang_getPointeeType(t).spelling
    }

    private func pointerParameter(_ c: CXCursor) -> Int? {
        guard let p = parameter(c) else { return nil }
        let t = FactsCollector.stripped(c).type.canonical.kind
        return t == CXType_Pointer || t == CXType_ConstantArray || t == CXType_IncompleteArray ? p : nil
    }

    /// Parameters (`#i`) and locals (by USR) named in an expression.
    private func variables(in c: CXCursor) -> [String] {
        var out: [String] = []
        func scan(_ e: CXCursor) {
            if e.kind == CXCursor_DeclRefExpr {
                let t = e.referenced
                if !t.isNull, t.kind == CXCursor_ParmDecl, let i = params[t.usr] {
                    out.append(FunctionBody.parameter(i))
                } else if !t.isNull, t.kind == CXCursor_VarDecl, clang_getCursorSemanticParent(t).kind != CXCursor_TranslationUnit {
                    out.append(t.usr)
                }
            }
            for k in e.children { scan(k) }
        }
        scan(c)
        return out
    }

    private func hasSizeof(_ c: CXCursor) -> Bool {
        if c.kind == CXCursor_UnaryExpr { return true }
        return c.children.contains(where: hasSizeof)
    }

    /// `i < n` and the like bound the variables on one side by the parameters on the other; an element
    /// compared with 0 or '\0' is read as a string.
    private mutating func compare(_ lhs: CXCursor, _ rhs: CXCursor, _ op: String) {
        for (a, b) in [(lhs, rhs), (rhs, lhs)] {
            let bound = FactsCollector.stripped(b)
            if op != "==", bound.kind == CXCursor_DeclRefExpr, let n = parameter(bound), pointerParameter(bound) == nil {
                for v in variables(in: a) where v != FunctionBody.parameter(n) {
                    body.bounds.append(FunctionBody.Bound(variable: v, parameter: n))
                }
            }
            if isNul(b), let p = element(a) {
                body.accesses.append(ParameterAccess(parameter: p, kind: .comparedWithNul, location: location(a)))
            }
        }
    }

    private func isNul(_ c: CXCursor) -> Bool {
        let e = FactsCollector.stripped(c)
        guard e.kind == CXCursor_IntegerLiteral || e.kind == CXCursor_CharacterLiteral,
              let at = e.location.fileLocation, let b = collector.buffer(at.file) else { return false }
        let text = String(decoding: b[at.offset..<min(b.count, at.offset + 4)], as: UTF8.self)
        return text.hasPrefix("'\\0'") || (text.hasPrefix("0") && !text.hasPrefix("0x") && !(text.dropFirst().first?.isNumber ?? false))
    }

    /// The parameter whose element an expression reads (`p[i]`, `*p`, `*p++`).
    private func element(_ c: CXCursor) -> Int? {
        let e = FactsCollector.stripped(c)
        if e.kind == CXCursor_ArraySubscriptExpr, let base = e.children.first { return pointerParameter(base) }
        if e.kind == CXCursor_UnaryOperator, collector.operatorText(e) == "*", let operand = e.children.first { return pointerParameter(operand) }
        return nil
    }

    private mutating func call(_ c: CXCursor) {
        let kids = c.children
        guard !kids.isEmpty else { return }
        let callee = c.referenced
        let name = !callee.isNull && callee.kind == CXCursor_FunctionDecl ? callee.spelling : nil
        let args = Array(kids.dropFirst())
        let vars = args.map { variables(in: $0) }
        let sizes = args.map(hasSizeof)
        for (i, arg) in args.enumerated() {
            // the pointer itself, or the pointer plus an offset
            var e = FactsCollector.stripped(arg)
            if e.kind == CXCursor_BinaryOperator, let first = e.children.first { e = first }
            guard let p = pointerParameter(e) else { continue }
            var a = ParameterAccess(parameter: p, kind: .passed, location: location(arg))
            a.callee = name
            a.argument = i
            a.arguments = vars
            a.argumentHasSizeof = sizes
            body.accesses.append(a)
        }
        visit(kids[0], .read)
        for arg in args { visit(arg, .read) }
    }

    private mutating func returned(_ value: CXCursor) {
        var e = FactsCollector.stripped(value)
        if e.kind == CXCursor_CStyleCastExpr, let inner = e.children.last { e = FactsCollector.stripped(inner) }
        let at = location(value)
        switch e.kind {
        case CXCursor_StringLiteral:
            body.returns.append(ReturnedValue(kind: .literal, name: nil, location: at))
        case CXCursor_ConditionalOperator:
            for branch in e.children.dropFirst() { returned(branch) }
        case CXCursor_CallExpr:
            body.returns.append(ReturnedValue(kind: .call, name: e.referenced.isNull ? nil : e.referenced.spelling, location: at))
        case CXCursor_IntegerLiteral, CXCursor_GNUNullExpr:
            body.returns.append(ReturnedValue(kind: .null, name: nil, location: at))
        default:
            // `&g`, `g`, `g[i]`, `&g[i]`, `g.f`: the variable at the root
            var root = e
            while [CXCursor_UnaryOperator, CXCursor_ArraySubscriptExpr, CXCursor_MemberRefExpr, CXCursor_ParenExpr,
                   CXCursor_UnexposedExpr].contains(root.kind), let first = root.children.first {
                root = first
            }
            let target = root.kind == CXCursor_DeclRefExpr ? root.referenced : clang_getNullCursor()
            if !target.isNull, target.kind == CXCursor_ParmDecl {
                body.returns.append(ReturnedValue(kind: .parameter, name: target.spelling, location: at))
            } else if !target.isNull, target.kind == CXCursor_VarDecl,
                      clang_getCursorSemanticParent(target).kind == CXCursor_TranslationUnit || target.isStatic {
                body.returns.append(ReturnedValue(kind: .storage, name: target.spelling, location: at))
            } else {
                body.returns.append(ReturnedValue(kind: .other, name: nil, location: at))
            }
        }
    }
}
