import BulkheadAnalysis
import BulkheadConfig
import BulkheadModel

/// One process per compartment: a gate packs its arguments into a frame on the thread's shared stack and
/// calls the runtime (`bh_call`), which runs the entry in the callee's process. Stubs and trampolines live
/// in section `bh_gate_text`, executable in every process; entries live in their compartment's code.
public struct ProcessBackend: Backend {
    public let kind = BackendKind.process
    /// The runtime's version, for where its library is found (`$(HOME)/.cache/bulkhead/<generator>`).
    public var generator: String
    /// Set by `bulkhead syscalls`: the program records each compartment's system calls into this file
    /// instead of enforcing allowlists (ProcessProgramFile).
    public var syscallTrace: String?

    public init(generator: String, syscallTrace: String? = nil) {
        self.generator = generator
        self.syscallTrace = syscallTrace
    }

    /// The runtime installed for the emitted Makefile: the bulkhead command copies its runtime library here.
    public static func runtimeFolder(generator: String) -> String {
        ".cache/bulkhead/" + generator.replacingOccurrences(of: " ", with: "-")
    }

    public func code(appendedTo unit: String, plan: Plan) -> String {
        let layout = ProcessLayout(plan)
        var out = ""
        for (id, entry) in layout.entries.enumerated() where entry.definingUnit == unit {
            out += StubText.header(kind: entry.isCallback ? "trampoline" : "gate", name: entry.function,
                                   result: entry.resultType, params: Array(entry.parameters.dropLast(entry.forwarded?.count ?? 0)),
                                   variadic: entry.isVariadic, location: entry.location,
                                   detail: "gate \(id) into compartment '\(entry.compartment)'" + StubText.forwardedDetail(entry.forwarded))
            out += ProcessStub(entry: entry, id: id, compartmentIndex: layout.index(of: entry.compartment)).text()
        }
        return StubText.wrap(out, backend: name, prelude: "#include \"bulkhead_runtime.h\"\n")
    }

    public func extraFiles(plan: Plan, objects: [(object: String, compartment: String)]) -> [String: String] {
        let layout = ProcessLayout(plan)
        return [
            "bh/bulkhead_runtime.h": RuntimeHeader.text,
            "bh/bh_program.c": ProcessProgramFile(plan: plan, layout: layout, syscallTrace: syscallTrace).text(),
            "bh/bulkhead.ld": LinkerScript(layout: layout, objects: objects).text(),
        ]
    }

    public func compileFlags(compileFolder: String) -> [String] {
        ["-I" + TreeBuilder.relativePath(from: compileFolder, to: "bh")]
    }

    public func postCompile(library: String, plan: Plan) -> [String] {
        guard plan.sharedHeap.contains(library) else { return [] }
        let syms = ["malloc", "calloc", "realloc", "free", "strdup", "strndup"].map { "--redefine-sym \($0)=bh_shared_\($0)" }
        return ["objcopy \(syms.joined(separator: " ")) $@"]
    }

    public func makefileVariables(plan: Plan) -> String {
        """
        # The Bulkhead runtime (installed here by `bulkhead build`) and the Swift toolchain's static libraries.
        BH_RUNTIME ?= $(HOME)/\(Self.runtimeFolder(generator: generator))
        SWIFT_STATIC ?= $(shell dirname "$$(dirname "$$(readlink -f "$$(command -v swiftc)")")")/lib/swift_static/linux
        \(Self.cxxRuntime(plan))
        BH_LIBS = -Wl,--wrap=main -Wl,--wrap=__cxa_atexit -Wl,--wrap=on_exit -Wl,--wrap=longjmp,--wrap=_longjmp,--wrap=siglongjmp,--wrap=__longjmp_chk $(BH_RUNTIME)/libBulkheadRuntime.a $(SWIFT_STATIC)/x86_64/swiftrt.o -L$(SWIFT_STATIC) -lswiftCore -lseccomp -ldl -lpthread $(BH_CXXRT) -lm

        """
    }

    /// Whether a compartment's hardening links a sanitizer runtime: those load the shared C++ runtime
    /// themselves (libubsan needs libstdc++), and one copy of it per program is the safe number.
    static func linksSanitizer(_ plan: Plan) -> Bool {
        plan.compartments.contains { $0.hardening.contains { h in HardeningFlags.link(h).contains { $0.hasPrefix("-fsanitize") } } }
    }

    /// The C++ runtime the Swift runtime needs, as the Makefile's `BH_CXXRT` (with its comment): linked
    /// statically, which saves the dynamic loader about a tenth of a partitioned program's start-up, unless a
    /// sanitizer brings the shared one anyway.
    static func cxxRuntime(_ plan: Plan) -> String {
        linksSanitizer(plan)
            ? "# The C++ runtime that the Swift runtime needs: shared, as the sanitizers' runtimes load it too.\nBH_CXXRT ?= -lstdc++"
            : "# The C++ runtime that the Swift runtime needs, linked statically (a shorter start-up).\nBH_CXXRT ?= -Wl,-Bstatic -lstdc++ -Wl,-Bdynamic -static-libgcc"
    }

    public func makefileRules(plan: Plan) -> String {
        """

        # the program's description for the runtime, in no compartment
        obj/bh/bh_program.o: bh/bh_program.c bh/bulkhead_runtime.h
        \t@mkdir -p $(@D)
        \t$(CC) -c bh/bh_program.c -o $@

        """
    }

    public var linkObjects: [String] { ["obj/bh/bh_program.o"] }
    public var linkFlags: [String] { ["-Wl,-T,bh/bulkhead.ld", "$(BH_LIBS)"] }
    public var linkDependencies: [String] { ["bh/bulkhead.ld"] }
}

/// Gate ids and compartment indexes, as the stubs and the program file number them: the default
/// compartment is 0; gates come first (in the plan's order), then trampolines.
struct ProcessLayout {
    struct Entry {
        var function: String
        var stub: String
        var isCallback: Bool
        var isStatic: Bool
        var compartment: String
        var library: String
        var resultType: String
        var parameters: [Parameter]
        var isVariadic: Bool
        var variadicVia: String?
        /// A variadic function's gate specialised to these types passed through `...` (its last parameters).
        var forwarded: [PromotedType]?
        var errorReturn: String?
        var marshalling: [Plan.Marshal]
        var result: Plan.Marshal?
        var location: SourceLocation
        var definingUnit: String
        /// The compartments the plan lets call it (those that call it by name); nil: any (a callback, or a
        /// gate whose address is taken, which may reach any compartment).
        var callers: [String]?
    }

    var compartments: [Plan.Compartment]
    var entries: [Entry]

    /// `backend`: whose compartments and crossings (mpk numbers its compartments and gates the same way:
    /// the default compartment and those of the backend, its crossings).
    init(_ plan: Plan, backend: BackendKind = .process) {
        // the compartments with a process of their own; the others live in the main process, the default's
        compartments = plan.compartments.filter(\.isDefault) + plan.compartments.filter {
            !$0.isDefault && (backend == .process ? plan.process(of: $0.name) != nil : $0.backend == backend)
        }
        entries = plan.gates.filter { $0.backend == backend }.map {
            Entry(function: $0.name, stub: $0.stub, isCallback: false, isStatic: false, compartment: $0.compartment,
                  library: $0.library, resultType: $0.resultType, parameters: $0.parameters, isVariadic: $0.isVariadic,
                  variadicVia: $0.variadicVia, forwarded: $0.forwarded, errorReturn: $0.errorReturn, marshalling: $0.marshalling,
                  result: $0.result, location: $0.location, definingUnit: $0.definingUnit,
                  callers: $0.uses.contains { $0.kind == .address } ? nil : Set($0.uses.map(\.fromCompartment)).sorted())
        } + plan.callbacks.filter { $0.backend == backend }.map {
            Entry(function: $0.name, stub: $0.trampoline, isCallback: true, isStatic: $0.isStatic, compartment: $0.compartment,
                  library: $0.library, resultType: $0.resultType, parameters: $0.parameters, isVariadic: false,
                  variadicVia: nil, errorReturn: $0.errorReturn, marshalling: $0.marshalling, result: $0.result,
                  location: $0.location, definingUnit: $0.definingUnit, callers: nil)
        }
    }

    /// A compartment's index in the runtime's table: that of its process (0: the main process).
    func index(of compartment: String) -> Int { compartments.firstIndex { $0.name == compartment } ?? 0 }

    /// The compartment of the runtime's table whose process holds `compartment` (the default for the main process).
    func home(of compartment: String) -> String { compartments[index(of: compartment)].name }

    static func entrySymbol(_ id: Int, _ function: String) -> String { "bh_entry_\(id)_\(function)" }
}
