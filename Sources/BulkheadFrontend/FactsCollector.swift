import BulkheadModel
import CClang

/// Walks one parsed translation unit and gathers what the analysis needs. Collect only: no decisions here.
final class FactsCollector {
    private let tu: CXTranslationUnit
    private let mainFile: String
    var facts: TranslationUnitFacts
    /// Macro expansions written in files, by (file, offset) of the invocation: several for a header included
    /// more than once with the macro defined differently each time (jq's libm.h).
    private var expansions: [String: [Int: [CXCursor]]] = [:]
    /// Macro definitions by name (the last one seen).
    private var macroDefinitions: [String: CXCursor] = [:]
    private var contents: [String: UnsafeBufferPointer<UInt8>] = [:]

    private struct Context {
        var declarationPoint: TextSpan
        var function: String?
        var functionUSR: String?
        var initializerOf: String?
        var argumentOf: String?
        var inCallee = false
        /// While visiting a call's callee expression: addresses of locals among that call's arguments.
        var calleeLocals: [LocalAddress] = []
        /// While visiting a variadic call's callee expression: the arguments passed through its `...`.
        var calleeVariadics: [VariadicArgument]?
        /// While visiting a call's callee expression: how its arguments are written.
        var calleeShapes: [ArgumentShape]?
    }

    init(tu: CXTranslationUnit, mainFile: String) {
        self.tu = tu
        self.mainFile = mainFile
        self.facts = TranslationUnitFacts(file: mainFile)
    }

    func collect() -> TranslationUnitFacts {
        let root = clang_getTranslationUnitCursor(tu)
        let top = root.children.filter { !$0.location.isInSystemHeader }
        for c in top {
            switch c.kind {
            case CXCursor_MacroExpansion:
                if let at = c.location.expansion { expansions[at.file, default: [:]][at.offset, default: []].append(c) }
            case CXCursor_MacroDefinition:
                macroDefinitions[c.spelling] = c
            default: break
            }
        }
        // A header without include guard that this unit includes more than once (jq's libm.h, included once
        // for its functions and again inside a table's initializer): a declaration written into it would land
        // inside the other inclusions' context too, so it goes before its first #include line in this file.
        var inclusions: [String: (count: Int, first: TextSpan?)] = [:]
        for c in top where c.kind == CXCursor_InclusionDirective {
            guard let file = clang_getIncludedFile(c), clang_isFileMultipleIncludeGuarded(tu, file) == 0 else { continue }
            let name = Paths.normalize(clang_getFileName(file).consume())
            var entry = inclusions[name] ?? (0, nil)
            entry.count += 1
            if entry.first == nil, let at = c.location.expansion, at.file == mainFile, let b = buffer(at.file) {
                var line = min(at.offset, b.count)
                while line > 0, b[line - 1] != 10 { line -= 1 }
                entry.first = TextSpan(file: at.file, offset: line, length: 0)
            }
            inclusions[name] = entry
        }
        for c in top {
            if let at = clang_getRangeStart(c.extent).expansion, let entry = inclusions[at.file], entry.count > 1, let first = entry.first {
                visitTopLevel(c, declarationPoint: first)
            } else {
                visitTopLevel(c)
            }
        }
        facts.files = includedFiles()
        facts.locals = addressedLocalVariables()
        return facts
    }

    // MARK: Declarations

    private func visitTopLevel(_ c: CXCursor, declarationPoint: TextSpan? = nil) {
        guard let start = clang_getRangeStart(c.extent).expansion else { return }
        var ctx = Context(declarationPoint: declarationPoint ?? TextSpan(file: start.file, offset: start.offset, length: 0))
        switch c.kind {
        case CXCursor_FunctionDecl:
            if clang_isCursorDefinition(c) != 0 {
                recordFunction(c)
                ctx.function = c.spelling
                ctx.functionUSR = c.usr
                recordParameters(c, ctx.declarationPoint)
                facts.bodies.append(body(of: c))
            }
            walk(c, &ctx)
        case CXCursor_VarDecl:
            // a definition, or a tentative one (`int x;` at file scope)
            let isDefinition = clang_isCursorDefinition(c) != 0 || clang_Cursor_getStorageClass(c) != CX_SC_Extern
            if isDefinition, let at = c.location.expansion {
                facts.globals.append(GlobalInfo(
                    name: c.spelling, usr: c.usr, isStatic: c.isStatic,
                    isConst: clang_isConstQualifiedType(c.type) != 0,
                    location: sourceLocation(at), declarationStart: ctx.declarationPoint, translationUnit: mainFile))
            }
            ctx.initializerOf = c.usr
            walk(c, &ctx)
        case CXCursor_MacroExpansion, CXCursor_MacroDefinition, CXCursor_InclusionDirective:
            break
        default:
            walk(c, &ctx)
        }
    }

    private func recordFunction(_ c: CXCursor) {
        guard let at = c.location.expansion else { return }
        let n = Int(clang_Cursor_getNumArguments(c))
        var params: [Parameter] = []
        for i in 0..<max(n, 0) {
            let p = clang_Cursor_getArgument(c, UInt32(i))
            params.append(Parameter(name: p.spelling, type: p.type.spelling))
        }
        facts.functions.append(FunctionInfo(
            name: c.spelling, usr: c.usr, isStatic: c.isStatic,
            isVariadic: clang_isFunctionTypeVariadic(c.type) != 0,
            resultType: clang_getResultType(c.type).spelling, parameters: params,
            location: sourceLocation(at), translationUnit: mainFile))
    }

    // MARK: Expressions

    private func walk(_ c: CXCursor, _ ctx: inout Context) {
        for child in c.children { visit(child, &ctx) }
    }

    private func visit(_ c: CXCursor, _ ctx: inout Context) {
        switch c.kind {
        case CXCursor_CallExpr:
            let kids = c.children
            guard !kids.isEmpty else { return }
            let callee = c.referenced
            var inner = ctx
            inner.inCallee = true
            inner.calleeLocals = kids.dropFirst().enumerated().compactMap { i, arg in
                localAddress(in: arg).map { var l = $0; l.argument = i; l.function = ctx.functionUSR; return l }
            }
            if callee.isNull || callee.kind != CXCursor_FunctionDecl { facts.indirectCallLocals += inner.calleeLocals }
            inner.calleeVariadics = nil
            inner.calleeShapes = kids.dropFirst().map(argumentShape)
            if !callee.isNull, callee.kind == CXCursor_FunctionDecl, clang_isFunctionTypeVariadic(callee.type) != 0 {
                let fixed = Int(clang_Cursor_getNumArguments(callee)), count = Int(clang_Cursor_getNumArguments(c))
                inner.calleeVariadics = fixed >= 0 && count >= fixed
                    ? (fixed..<count).map { Self.variadicArgument(clang_Cursor_getArgument(c, UInt32($0)).type) } : nil
            }
            visit(kids[0], &inner)
            var args = ctx
            args.inCallee = false
            if !callee.isNull, callee.kind == CXCursor_FunctionDecl { args.argumentOf = callee.usr }
            for k in kids.dropFirst() { visit(k, &args) }
        case CXCursor_DeclRefExpr:
            let target = c.referenced
            if target.isNull { return }
            if target.kind == CXCursor_FunctionDecl {
                recordFunctionUse(c, target: target, isCall: ctx.inCallee, ctx)
            } else if target.kind == CXCursor_VarDecl {
                recordGlobalUse(c, target: target, ctx)
                recordLocalUse(c, target: target)
            } else if target.kind == CXCursor_ParmDecl {
                recordLocalUse(c, target: target)
            }
        case CXCursor_DeclStmt:
            if let end = clang_getRangeEnd(c.extent).expansion {
                for v in c.children where v.kind == CXCursor_VarDecl {
                    localStatements[v.usr] = (v, TextSpan(file: end.file, offset: end.offset, length: 0), ctx.declarationPoint)
                    let held = addressesInInitializer(of: v)
                    if !held.isEmpty { facts.initializerLocals[v.usr] = held }
                }
            }
            var inner = ctx
            inner.inCallee = false
            walk(c, &inner)
        case CXCursor_ForStmt:
            if let first = c.children.first, first.kind == CXCursor_DeclStmt, let loop = forLoop(c, init: first) {
                for v in first.children where v.kind == CXCursor_VarDecl { forLoops[v.usr] = loop }
            }
            var inner = ctx
            inner.inCallee = false
            walk(c, &inner)
        case CXCursor_UnexposedExpr, CXCursor_ParenExpr:
            walk(c, &ctx)
        case CXCursor_BinaryOperator:
            recordStore(c)
            var inner = ctx
            inner.inCallee = false
            walk(c, &inner)
        default:
            var inner = ctx
            inner.inCallee = false
            walk(c, &inner)
        }
    }

    private func recordGlobalUse(_ c: CXCursor, target: CXCursor, _ ctx: Context) {
        guard clang_getCursorSemanticParent(target).kind == CXCursor_TranslationUnit,
              !target.location.isInSystemHeader, let at = c.location.expansion else { return }
        facts.globalUses.append(GlobalUse(usr: target.usr, name: target.spelling, location: sourceLocation(at),
                                          enclosingFunction: ctx.function, translationUnit: mainFile))
    }

    private func recordFunctionUse(_ c: CXCursor, target: CXCursor, isCall: Bool, _ ctx: Context) {
        if target.location.isInSystemHeader { return }
        guard let exp = c.location.expansion, let spelled = c.location.fileLocation else { return }
        let name = target.spelling
        var spans: [TextSpan] = []
        var macro: String?
        var reason: String?
        if identifier(at: spelled.file, offset: spelled.offset) == name {
            spans = [TextSpan(file: spelled.file, offset: spelled.offset, length: name.utf8.count)]
        } else if let all = expansions[exp.file]?[exp.offset], let expansion = all.first {
            macro = expansion.spelling
            // every definition expanded here: the one this use came from is among them
            for e in all {
                let def = e.referenced
                var seen = Set<String>()
                if !def.isNull { spans += macroBodySpans(def, naming: name, seen: &seen).filter { !spans.contains($0) } }
            }
            if spans.isEmpty {
                reason = "the name '\(name)' is not written in the body of macro '\(expansion.spelling)' (token pasting?)"
            }
        } else {
            reason = "the name '\(name)' is produced by a macro that cannot be rewritten here"
        }
        let locals = isCall ? ctx.calleeLocals : []
        var use = FunctionUse(
            targetUSR: target.usr, targetName: name, isCall: isCall, location: sourceLocation(exp), spans: spans,
            macroName: macro, unrewritableReason: reason, declarationPoint: ctx.declarationPoint,
            enclosingFunction: ctx.function, argumentOf: isCall ? nil : ctx.argumentOf,
            initializerOf: isCall ? nil : ctx.initializerOf, localAddresses: locals, translationUnit: mainFile)
        use.variadicArguments = isCall ? ctx.calleeVariadics : nil
        use.argumentShapes = isCall ? ctx.calleeShapes : nil
        facts.uses.append(use)
    }

    /// An argument's type after the default argument promotions (clang has usually applied them already, as
    /// an implicit cast): small integers to int, float to double, an enum to its integer type, arrays and
    /// functions to pointers.
    static func variadicArgument(_ type: CXType) -> VariadicArgument {
        let t = type.canonical
        return VariadicArgument(type: t.spelling, promoted: promoted(t))
    }

    private static func promoted(_ t: CXType) -> PromotedType? {
        switch t.kind {
        case CXType_Bool, CXType_Char_U, CXType_UChar, CXType_Char16, CXType_UShort, CXType_Char_S, CXType_SChar,
             CXType_WChar, CXType_Short, CXType_Int:
            return .int
        case CXType_UInt, CXType_Char32: return .unsignedInt
        case CXType_Long: return .long
        case CXType_ULong: return .unsignedLong
        case CXType_LongLong: return .longLong
        case CXType_ULongLong: return .unsignedLongLong
        case CXType_Float, CXType_Double: return .double
        case CXType_LongDouble: return .longDouble
        case CXType_Enum:
            return promoted(clang_getEnumDeclIntegerType(clang_getTypeDeclaration(t)).canonical)
        case CXType_Pointer:
            let pointee = clang_getPointeeType(t).canonical.kind
            return pointee == CXType_FunctionProto || pointee == CXType_FunctionNoProto ? .functionPointer : .pointer
        case CXType_ConstantArray, CXType_IncompleteArray, CXType_VariableArray, CXType_DependentSizedArray, CXType_NullPtr:
            return .pointer
        case CXType_FunctionProto, CXType_FunctionNoProto:
            return .functionPointer
        default:
            return nil
        }
    }

    /// `lhs = rhs` where rhs is a local's address: into a local pointer, it goes along with that pointer
    /// (as an initializer would); anywhere else, it is stored in memory that anything may read.
    private func recordStore(_ c: CXCursor) {
        let kids = c.children
        guard kids.count == 2, let lhsEnd = clang_getRangeEnd(kids[0].extent).fileLocation,
              let rhsStart = clang_getRangeStart(kids[1].extent).fileLocation, lhsEnd.file == rhsStart.file,
              let b = buffer(lhsEnd.file), rhsStart.offset <= b.count else { return }
        // the operator is the text between the operands: '=' alone
        let op = b[lhsEnd.offset..<max(lhsEnd.offset, rhsStart.offset)].filter { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }
        guard op.count == 1, op.first == UInt8(ascii: "=") else { return }
        guard let stored = localAddress(in: kids[1]), !stored.throughPointer, let usr = stored.usr else { return }
        var lhs = kids[0]
        while lhs.kind == CXCursor_ParenExpr || lhs.kind == CXCursor_UnexposedExpr, let next = lhs.children.first { lhs = next }
        let target = lhs.kind == CXCursor_DeclRefExpr ? lhs.referenced : clang_getNullCursor()
        if !target.isNull, target.kind == CXCursor_VarDecl, isAutomatic(target) {
            if !(facts.initializerLocals[target.usr] ?? []).contains(usr) { facts.initializerLocals[target.usr, default: []].append(usr) }
        } else {
            facts.storedLocals.append(stored)
        }
    }

    /// A variable or parameter that lives on the stack of the function declaring it.
    private func isAutomatic(_ v: CXCursor) -> Bool {
        clang_getCursorSemanticParent(v).kind != CXCursor_TranslationUnit && !(v.kind == CXCursor_VarDecl && v.isStatic)
    }

    /// USRs of the locals whose address a local variable's initializer holds (`&buf`, or an array `buf`).
    private func addressesInInitializer(of v: CXCursor) -> [String] {
        var out: [String] = []
        func scan(_ c: CXCursor) {
            if c.kind == CXCursor_UnaryOperator || c.kind == CXCursor_DeclRefExpr,
               let a = localAddress(in: c), !a.throughPointer, let usr = a.usr, !out.contains(usr) {
                out.append(usr)
            }
            for k in c.children { scan(k) }
        }
        for k in v.children { scan(k) }
        return out
    }

    private func localAddress(in arg: CXCursor) -> LocalAddress? {
        var e = arg
        while e.kind == CXCursor_UnexposedExpr || e.kind == CXCursor_ParenExpr || e.kind == CXCursor_CStyleCastExpr {
            guard let next = e.children.last else { return nil }
            e = next
        }
        // the value of `*q = &x`, `(a, &x)`, `p + 1`, `c ? &x : y`: what the pointer-typed operands hold
        if e.kind == CXCursor_BinaryOperator || e.kind == CXCursor_ConditionalOperator,
           e.type.canonical.kind == CXType_Pointer {
            let kids = e.children
            let operands = e.kind == CXCursor_BinaryOperator ? Array(kids.reversed()) : Array(kids.dropFirst())
            return operands.lazy.compactMap { self.localAddress(in: $0) }.first
        }
        var takesAddress = false
        var intoObject = false   // `&x.f`, `&x[i]`, `&p->f`: an address inside what names it
        if e.kind == CXCursor_UnaryOperator, let at = e.location.fileLocation, byte(at: at.file, offset: at.offset) == UInt8(ascii: "&") {
            takesAddress = true
            guard var operand = e.children.first else { return nil }
            while [CXCursor_ParenExpr, CXCursor_MemberRefExpr, CXCursor_ArraySubscriptExpr, CXCursor_UnexposedExpr].contains(operand.kind) {
                if operand.kind == CXCursor_MemberRefExpr || operand.kind == CXCursor_ArraySubscriptExpr { intoObject = true }
                guard let next = operand.children.first else { return nil }
                operand = next
            }
            e = operand
        }
        guard e.kind == CXCursor_DeclRefExpr else { return nil }
        let v = e.referenced
        guard !v.isNull, v.kind == CXCursor_VarDecl || v.kind == CXCursor_ParmDecl else { return nil }
        guard isAutomatic(v) else { return nil }
        let typeKind = v.type.canonical.kind
        let isArray = typeKind == CXType_ConstantArray || typeKind == CXType_VariableArray
        // a pointer's value passed on (`p`, or `&p->f`): what it points to goes where the argument goes
        let passesPointer = typeKind == CXType_Pointer && (!takesAddress || intoObject)
        if passesPointer, v.kind == CXCursor_VarDecl, let at = arg.location.expansion {
            var passed = LocalAddress(name: v.spelling, isArray: false, location: sourceLocation(at))
            passed.usr = v.usr
            passed.throughPointer = true
            return passed
        }
        if passesPointer, v.kind == CXCursor_ParmDecl, let at = arg.location.expansion {
            let fn = clang_getCursorSemanticParent(v)
            let n = Int(clang_Cursor_getNumArguments(fn))
            guard let index = (0..<max(n, 0)).first(where: { clang_equalCursors(clang_Cursor_getArgument(fn, UInt32($0)), v) != 0 })
            else { return nil }
            var passed = LocalAddress(name: v.spelling, isArray: false, location: sourceLocation(at))
            passed.parameter = index
            return passed
        }
        guard takesAddress || isArray, let at = arg.location.expansion else { return nil }
        var local = LocalAddress(name: v.spelling, isArray: isArray && !takesAddress, location: sourceLocation(at))
        // a local variable, or a parameter's own storage (`&n`): either can move to the shared stack
        local.usr = v.usr
        addressedLocals.insert(v.usr)
        return local
    }

    // MARK: Macros

    // MARK: Locals

    private var addressedLocals: Set<String> = []
    private var localStatements: [String: (decl: CXCursor, after: TextSpan, point: TextSpan)] = [:]

    /// A definition's parameters, as locals whose declaration ends where the body begins (after its `{`).
    private func recordParameters(_ fn: CXCursor, _ point: TextSpan) {
        guard let body = fn.children.first(where: { $0.kind == CXCursor_CompoundStmt }),
              let brace = clang_getRangeStart(body.extent).fileLocation,
              byte(at: brace.file, offset: brace.offset) == UInt8(ascii: "{") else { return }
        let after = TextSpan(file: brace.file, offset: brace.offset + 1, length: 0)
        for p in fn.children where p.kind == CXCursor_ParmDecl {
            localStatements[p.usr] = (p, after, point)
        }
    }
    private var localUses: [String: [TextSpan]] = [:]
    /// The `for` statement of each local declared in one's first clause (nil: it is not where it is written).
    private var forLoops: [String: ForLoop?] = [:]

    /// Where a `for` statement begins and ends in its file, if both are written there (not in a macro).
    private func forLoop(_ c: CXCursor, init decl: CXCursor) -> ForLoop?? {
        guard let s = clang_getRangeStart(c.extent).fileLocation, let e = clang_getRangeEnd(c.extent).fileLocation,
              let d = clang_getRangeEnd(decl.extent).fileLocation, s.file == e.file, d.file == e.file,
              let b = buffer(e.file), byte(at: s.file, offset: s.offset) == UInt8(ascii: "f") else { return .some(nil) }
        func skipSpace(_ i: Int) -> Int {
            var i = i
            while i < b.count, [32, 9, 10, 13].contains(b[i]) { i += 1 }
            return i
        }
        // a body that is one statement ends before its `;` in libclang's extent
        var end = e.offset
        if end > 0, b[end - 1] != UInt8(ascii: "}"), b[end - 1] != UInt8(ascii: ";") {
            end = skipSpace(end)
            guard end < b.count, b[end] == UInt8(ascii: ";") else { return .some(nil) }
            end += 1
        }
        let cond = skipSpace(d.offset)
        return ForLoop(start: TextSpan(file: s.file, offset: s.offset, length: 0), end: TextSpan(file: e.file, offset: end, length: 0),
                       emptyCondition: cond < b.count && b[cond] == UInt8(ascii: ";"))
    }
    private var localsInMacros: Set<String> = []

    private func recordLocalUse(_ c: CXCursor, target: CXCursor) {
        let parent = clang_getCursorSemanticParent(target).kind
        guard parent == CXCursor_FunctionDecl, !target.isStatic, let at = c.location.fileLocation else { return }
        let name = target.spelling
        if identifier(at: at.file, offset: at.offset) == name {
            localUses[target.usr, default: []].append(TextSpan(file: at.file, offset: at.offset, length: name.utf8.count))
        } else {
            localsInMacros.insert(target.usr)
        }
    }

    /// The locals whose address was passed to a call, with all their uses.
    private func addressedLocalVariables() -> [String: LocalVariable] {
        var out: [String: LocalVariable] = [:]
        for usr in addressedLocals {
            guard let (decl, after, point) = localStatements[usr], let at = decl.location.fileLocation else { continue }
            let name = decl.spelling
            var reason: String?
            if localsInMacros.contains(usr) { reason = "'\(name)' is used inside a macro" }
            if decl.type.canonical.kind == CXType_VariableArray { reason = "'\(name)' is a variable-length array" }
            if identifier(at: at.file, offset: at.offset) != name { reason = "the declaration of '\(name)' comes from a macro" }
            let loop = forLoops[usr]
            if let l = loop, l == nil { reason = "it is declared in a 'for' statement written in a macro" }
            if loop != nil, (localUses[usr] ?? []).contains(where: { $0.offset < after.offset }) {
                reason = "it is used in the 'for' statement's first clause"
            }
            out[usr] = LocalVariable(usr: usr, name: name, declaration: TextSpan(file: at.file, offset: at.offset, length: name.utf8.count),
                                     afterStatement: after, references: localUses[usr] ?? [], declarationPoint: point,
                                     unrewritableReason: reason, loop: loop ?? nil)
        }
        return out
    }

    /// Spans of `name` in a macro's body, following the macros it uses.
    private func macroBodySpans(_ def: CXCursor, naming name: String, seen: inout Set<String>) -> [TextSpan] {
        guard seen.insert(def.spelling).inserted else { return [] }
        let tokens = self.tokens(in: def.extent)
        guard tokens.count > 1 else { return [] }
        var body = 1
        var params: Set<String> = []
        // function-like: '(' right after the name
        if tokens[1].text == "(", tokens[1].offset == tokens[0].offset + tokens[0].text.utf8.count {
            var i = 2
            while i < tokens.count, tokens[i].text != ")" {
                if tokens[i].kind == CXToken_Identifier { params.insert(tokens[i].text) }
                i += 1
            }
            body = i + 1
        }
        var spans: [TextSpan] = []
        for i in body..<tokens.count where tokens[i].kind == CXToken_Identifier {
            let t = tokens[i]
            if t.text == name, !params.contains(name) {
                let prev = i > 0 ? tokens[i - 1].text : ""
                let next = i + 1 < tokens.count ? tokens[i + 1].text : ""
                if prev == "#" || prev == "##" || next == "##" { continue }
                spans.append(TextSpan(file: t.file, offset: t.offset, length: t.text.utf8.count))
            } else if let inner = macroDefinitions[t.text], t.text != def.spelling {
                spans += macroBodySpans(inner, naming: name, seen: &seen)
            }
        }
        return spans
    }

    private struct Token {
        var text: String
        var kind: CXTokenKind
        var file: String
        var offset: Int
    }

    private func tokens(in range: CXSourceRange) -> [Token] {
        var raw: UnsafeMutablePointer<CXToken>?
        var count: UInt32 = 0
        clang_tokenize(tu, range, &raw, &count)
        guard let raw else { return [] }
        defer { clang_disposeTokens(tu, raw, count) }
        var out: [Token] = []
        for i in 0..<Int(count) {
            let t = raw[i]
            guard let at = clang_getTokenLocation(tu, t).fileLocation else { continue }
            out.append(Token(text: clang_getTokenSpelling(tu, t).consume(), kind: clang_getTokenKind(t), file: at.file, offset: at.offset))
        }
        return out
    }

    // MARK: Files

    func buffer(_ file: String) -> UnsafeBufferPointer<UInt8>? {
        if let b = contents[file] { return b }
        guard let f = clang_getFile(tu, file) else { return nil }
        var size = 0
        guard let p = clang_getFileContents(tu, f, &size) else { return nil }
        let b = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: size)
        contents[file] = b
        return b
    }

    func byte(at file: String, offset: Int) -> UInt8? {
        guard let b = buffer(file), offset < b.count else { return nil }
        return b[offset]
    }

    private func identifier(at file: String, offset: Int) -> String? {
        guard let b = buffer(file), offset < b.count else { return nil }
        func isIdent(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
        }
        var end = offset
        while end < b.count, isIdent(b[end]) { end += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: b[offset..<end]), as: UTF8.self)
    }

    private func includedFiles() -> [String] {
        final class Box { var files: Set<String> = [] }
        let box = Box()
        withExtendedLifetime(box) {
            clang_getInclusions(tu, { file, stack, depth, data in
                guard let file else { return }
                _ = stack
                _ = depth
                Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue().files.insert(Paths.normalize(clang_getFileName(file).consume()))
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.files.sorted()
    }

    func sourceLocation(_ at: FileLocation) -> SourceLocation {
        SourceLocation(file: at.file, line: at.line, column: at.column)
    }
}
