import BulkheadModel
import Foundation
import XCTest
@testable import BulkheadConfig

final class ConfigParserTests: XCTestCase {
    /// A small valid file; error tests append to it or change one line of it.
    private let base = """
        program: server
        libraries:
          core:
            sources: [src/*.c]
          parser:
            sources: [parser/*.c]
        compartments:
          main:
            default: true
          sandbox:
            libraries: [parser]

        """

    private func parse(_ text: String) throws -> Config {
        try ConfigParser.parse(text: text, path: "conf/bulkhead.yaml", displayPath: "bulkhead.yaml",
                               baseDirectory: "/project/conf")
    }

    /// The rendered diagnostics of a file that must not parse.
    private func errors(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try parse(text)
            XCTFail("expected the file to be refused", file: file, line: line)
        } catch let error as DiagnosticError {
            return error.diagnostics.map(\.description)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return []
    }

    private func at(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: "bulkhead.yaml", line: line, column: column)
    }

    // MARK: - Valid files

    func testCompleteExampleRoundTrips() throws {
        let config = try parse("""
            program: server
            backend: fcall
            compile_commands: build/compile_commands.json
            cflags: [-O2, -DNDEBUG]
            ldflags: [-lm]
            libraries:
              core:
                sources: [src/core/*.c, src/main.c]
              parser:
                sources:
                  - src/parser/*.c
                cflags: [-Wall]
              net:
                sources: [src/net.c]
            compartments:
              main:
                default: true
                libraries: [core]
              sandbox:
                libraries: [parser]
                hardening: [asan, stack-protector, safe-stack]
                syscalls: [read, write, exit_group]
                on_fault: restart
            shared:
              globals: [config_table]
              callbacks: [log_message]
              heap: [core]
            gates:
              parse_request:
                error_return: -1
                args:
                  buf: { dir: in, size: len }
                  out: { dir: out, count: 4 }
                  io: { dir: inout, size: "sizeof(struct req)" }
                  name: { string: true }
                ret: { string: true }
              log_printf:
                variadic_via: log_vprintf

            """)
        XCTAssertEqual(config.path, "conf/bulkhead.yaml")
        XCTAssertEqual(config.displayPath, "bulkhead.yaml")
        XCTAssertEqual(config.baseDirectory, "/project/conf")
        XCTAssertEqual(config.program, Located("server", at: at(1, 10)))
        XCTAssertEqual(config.backend, Located(.fcall, at: at(2, 10)))
        XCTAssertEqual(config.compileCommands, Located("build/compile_commands.json", at: at(3, 19)))
        XCTAssertEqual(config.cflags, ["-O2", "-DNDEBUG"])
        XCTAssertEqual(config.ldflags, ["-lm"])

        XCTAssertEqual(config.libraries.map(\.name.value), ["core", "parser", "net"])
        XCTAssertEqual(config.libraries[0].name.location, at(7, 3))
        XCTAssertEqual(config.libraries[0].sources,
                       [Located("src/core/*.c", at: at(8, 15)), Located("src/main.c", at: at(8, 29))])
        XCTAssertEqual(config.libraries[0].cflags, [])
        XCTAssertEqual(config.libraries[1].sources, [Located("src/parser/*.c", at: at(11, 9))])
        XCTAssertEqual(config.libraries[1].cflags, ["-Wall"])

        XCTAssertEqual(config.compartments.map(\.name.value), ["main", "sandbox"])
        let main = config.compartments[0], sandbox = config.compartments[1]
        XCTAssertTrue(main.isDefault)
        XCTAssertEqual(main.libraries, [Located("core", at: at(18, 17))])
        XCTAssertEqual(main.hardening, [])
        XCTAssertEqual(main.syscalls, [])
        XCTAssertEqual(main.syscallFilter, .baseline)
        XCTAssertEqual(main.onFault, .abort)
        XCTAssertFalse(sandbox.isDefault)
        XCTAssertEqual(sandbox.libraries.map(\.value), ["parser"])
        XCTAssertEqual(sandbox.hardening, [.asan, .stackProtector, .safeStack])
        XCTAssertEqual(sandbox.syscalls.map(\.value), ["read", "write", "exit_group"])
        XCTAssertEqual(sandbox.syscalls[2].location, at(22, 29))
        XCTAssertEqual(sandbox.syscallFilter, .allowlist)
        XCTAssertEqual(sandbox.onFault, .restart)
        XCTAssertEqual(config.compartment(ofLibrary: "net").name.value, "main")
        XCTAssertEqual(config.compartment(ofLibrary: "parser").name.value, "sandbox")

        XCTAssertEqual(config.shared.globals, [Located("config_table", at: at(25, 13))])
        XCTAssertEqual(config.shared.callbacks.map(\.value), ["log_message"])
        XCTAssertEqual(config.shared.heap.map(\.value), ["core"])

        XCTAssertEqual(config.gates.map(\.function.value), ["parse_request", "log_printf"])
        let gate = try XCTUnwrap(config.gate(named: "parse_request"))
        XCTAssertEqual(gate.function.location, at(29, 3))
        XCTAssertEqual(gate.errorReturn, Located("-1", at: at(30, 19)))
        XCTAssertNil(gate.variadicVia)
        XCTAssertEqual(gate.arguments.map(\.parameter.value), ["buf", "out", "io", "name"])
        XCTAssertEqual(gate.arguments[0].marshalling,
                       Marshalling(direction: .in, size: Located("len", at: at(32, 29))))
        XCTAssertEqual(gate.arguments[1].marshalling,
                       Marshalling(direction: .out, count: Located("4", at: at(33, 31))))
        XCTAssertEqual(gate.arguments[2].marshalling,
                       Marshalling(direction: .inout, size: Located("sizeof(struct req)", at: at(34, 31))))
        XCTAssertEqual(gate.arguments[3].marshalling, Marshalling(isString: true))
        XCTAssertEqual(gate.result, Marshalling(isString: true))
        XCTAssertEqual(gate.resultLocation, at(36, 5))
        XCTAssertEqual(config.gate(named: "log_printf")?.variadicVia, Located("log_vprintf", at: at(38, 19)))
    }

    func testDefaultsWhenOptionalKeysAreLeftOut() throws {
        let config = try parse(base + "backend:\ncflags:\ngates:\n  f:\n    args:\n      p:\n")
        XCTAssertEqual(config.backend.value, .fcall)
        XCTAssertNil(config.compileCommands)
        XCTAssertEqual(config.cflags, [])
        XCTAssertEqual(config.compartment(ofLibrary: "core").name.value, "main")
        XCTAssertEqual(config.compartments[1].onFault, .abort)
        XCTAssertEqual(config.gates.first?.arguments.first?.marshalling, Marshalling())
        XCTAssertNil(config.gates.first?.result)
    }

    func testAllThreeBackendsParse() throws {
        for kind in BackendKind.allCases {
            XCTAssertEqual(try parse(base + "backend: \(kind.rawValue)\n").backend.value, kind)
        }
    }

    /// `backend:` on a compartment overrides the top-level one for it alone.
    func testACompartmentMayNameItsOwnBackend() throws {
        let config = try parse(base.replacingOccurrences(of: "    libraries: [parser]\n", with: "    libraries: [parser]\n    backend: process\n"))
        XCTAssertEqual(config.compartments[1].backend, Located(.process, at: at(12, 14)))
        XCTAssertNil(config.compartments[0].backend)
        XCTAssertEqual(config.backend(ofCompartment: "sandbox"), .process)
        XCTAssertEqual(config.backend(ofCompartment: "main"), .fcall)
        XCTAssertTrue(config.mixesBackends)
        XCTAssertFalse(try parse(base).mixesBackends)
        let bad = errors(base.replacingOccurrences(of: "    libraries: [parser]\n", with: "    libraries: [parser]\n    backend: vm\n"))
        XCTAssertEqual(bad.count, 1)
        XCTAssertTrue(bad[0].hasPrefix("bulkhead.yaml:12:14: error:"), bad[0])
        XCTAssertTrue(bad[0].contains("'vm'"), bad[0])
    }

    func testNumbersAreKeptAsTheirText() throws {
        let config = try parse(base + "gates:\n  f:\n    error_return: -1\n    args:\n      p: { size: 0x10, count: 2.50 }\n")
        XCTAssertEqual(config.gates[0].errorReturn?.value, "-1")
        XCTAssertEqual(config.gates[0].arguments[0].marshalling.size?.value, "0x10")
        XCTAssertEqual(config.gates[0].arguments[0].marshalling.count?.value, "2.50")
    }

    func testSyscallTableComesFromTheKernelHeader() {
        XCTAssertTrue(SyscallNames.x86_64.isSuperset(of: ["read", "write", "openat", "exit_group", "clone3"]))
        XCTAssertFalse(SyscallNames.x86_64.contains("printf"))
        XCTAssertGreaterThan(SyscallNames.x86_64.count, 350)
    }

    // MARK: - Syntax

    func testMalformedYAML() {
        XCTAssertEqual(errors("program: server\ncflags: [-O2, -g\nlibraries: {}\n"), [
            "bulkhead.yaml:3:10: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence "
                + "that starts at line 2); separate list items with ',' and close the list with ']'",
        ])
        XCTAssertEqual(errors("program: server\n  backend: fcall\n"), [
            "bulkhead.yaml:2:10: error: invalid YAML: mapping values are not allowed in this context; quote values "
                + "that contain ': ' and check the indentation",
        ])
        XCTAssertEqual(errors(base + "---\nprogram: other\n"), [
            "bulkhead.yaml:12:1: error: invalid YAML: the file holds more than one document; remove the second '---' "
                + "and what follows it",
        ])
    }

    func testTabIndentation() {
        XCTAssertEqual(errors("program: server\nlibraries:\n\tcore: {}\n"), [
            "bulkhead.yaml:3:1: error: invalid YAML: a tab cannot indent or separate YAML; use spaces",
        ])
    }

    func testEmptyFileAndTopLevelScalar() {
        XCTAssertEqual(errors(""), [
            "bulkhead.yaml:1:1: error: the annotation file is empty; it needs at least 'program', 'libraries' and "
                + "'compartments'",
        ])
        XCTAssertEqual(errors("# nothing yet\n"), errors(""))
        XCTAssertEqual(errors("\nserver\n"), [
            "bulkhead.yaml:2:1: error: expected a map of settings at the top level, like 'program: NAME'; found the "
                + "string 'server'",
        ])
        XCTAssertEqual(errors("- program\n"), [
            "bulkhead.yaml:1:1: error: expected a map of settings at the top level, like 'program: NAME'; found a list",
        ])
    }

    func testDeepNestingIsRefusedWithoutCrashing() {
        let deep = "program: " + String(repeating: "[", count: 40_000) + String(repeating: "]", count: 40_000)
        XCTAssertEqual(errors(deep), [
            "bulkhead.yaml:1:1: error: this file is too large or nests lists and maps too deeply to read safely; "
                + "a bulkhead.yaml needs at most 5 levels of nesting and short lines",
        ])
        // Deeper than the caller's stack would allow, but under the limit: read on the parser's own thread.
        let nested = base + "cflags: " + String(repeating: "[", count: 12_000) + String(repeating: "]", count: 12_000)
        XCTAssertEqual(errors(nested), [
            "bulkhead.yaml:12:10: error: expected a list of strings for 'cflags', like [-O2, -DNDEBUG]; this item is a "
                + "list",
        ])
    }

    // MARK: - Keys and types

    func testUnknownTopLevelKeyWithDidYouMean() {
        XCTAssertEqual(errors(base + "complie_commands: cc.json\n"), [
            "bulkhead.yaml:12:1: error: unknown key 'complie_commands'; did you mean 'compile_commands'?",
        ])
        XCTAssertEqual(errors(base + "colour: blue\n"), [
            "bulkhead.yaml:12:1: error: unknown key 'colour'; use one of program, backend, compile_commands, cflags, "
                + "ldflags, libraries, compartments, shared, gates",
        ])
    }

    func testUnknownNestedKey() {
        let text = base.replacingOccurrences(of: "    default: true", with: "    defualt: true")
        XCTAssertEqual(errors(text), [
            "bulkhead.yaml:7:1: error: no compartment has 'default: true'; add it to the compartment that should hold "
                + "every library not listed elsewhere",
            "bulkhead.yaml:9:5: error: unknown key 'defualt' in compartment 'main'; did you mean 'default'?",
        ])
    }

    func testDuplicateKey() {
        XCTAssertEqual(errors(base + "program: client\n"), [
            "bulkhead.yaml:12:1: error: duplicate key 'program'; it was already given at line 1, so remove one of them",
        ])
    }

    func testMissingRequiredKeys() {
        XCTAssertEqual(errors(base.replacingOccurrences(of: "program: server\n", with: "")), [
            "bulkhead.yaml:1:1: error: missing required key 'program'",
        ])
        XCTAssertEqual(errors("\nprogram: server\n"), [
            "bulkhead.yaml:2:1: error: missing required key 'libraries'",
            "bulkhead.yaml:2:1: error: missing required key 'compartments'",
        ])
        XCTAssertEqual(errors(base.replacingOccurrences(of: "    sources: [src/*.c]\n", with: "")), [
            "bulkhead.yaml:3:3: error: missing required key 'sources' in library 'core'",
        ])
    }

    func testScalarWhereAListIsExpected() {
        XCTAssertEqual(errors(base + "cflags: -O2\n"), [
            "bulkhead.yaml:12:9: error: expected a list of strings for 'cflags', like [-O2, -DNDEBUG]; found the "
                + "string '-O2'",
        ])
        XCTAssertEqual(errors(base.replacingOccurrences(of: "[parser]", with: "parser")), [
            "bulkhead.yaml:11:16: error: expected a list of strings for 'libraries', like [core, parser]; found the "
                + "string 'parser'",
        ])
    }

    func testWrongTypesElsewhere() {
        XCTAssertEqual(errors(base + "ldflags: [-lm, [-lz], 3]\nshared: [a]\n"), [
            "bulkhead.yaml:12:16: error: expected a list of strings for 'ldflags', like [-lm, -pthread]; this item "
                + "is a list",
            "bulkhead.yaml:13:9: error: expected a map of shared names for 'shared', like 'shared: { globals: "
                + "[counter] }'; found a list",
        ])
        XCTAssertEqual(errors(base.replacingOccurrences(of: "program: server", with: "program: [a]")), [
            "bulkhead.yaml:1:10: error: expected a string for 'program', like 'program: server'; found a list",
        ])
        XCTAssertEqual(errors(base.replacingOccurrences(of: "program: server", with: "program:")), [
            "bulkhead.yaml:1:1: error: expected a string for 'program', like 'program: server'; found nothing",
        ])
        XCTAssertEqual(errors(base.replacingOccurrences(of: "default: true", with: "default: 1")), [
            "bulkhead.yaml:9:14: error: expected true or false for 'default'; found the number '1'",
        ])
        XCTAssertEqual(errors(base + "libraries: [core]\n").count, 1)
    }

    func testEmptyLibrariesAndSources() {
        XCTAssertEqual(errors("program: a\nlibraries: {}\ncompartments:\n  m: { default: true }\n"), [
            "bulkhead.yaml:2:1: error: 'libraries' must define at least one library, like 'libraries: { core: "
                + "{ sources: [src/*.c] } }'",
        ])
        XCTAssertEqual(errors(base.replacingOccurrences(of: "[src/*.c]", with: "[]")), [
            "bulkhead.yaml:4:5: error: 'sources' must list at least one file or glob, like [src/*.c]",
        ])
    }

    func testInvalidNames() {
        let text = base.replacingOccurrences(of: "program: server", with: "program: my/server")
            .replacingOccurrences(of: "  core:", with: "  2core:")
            .replacingOccurrences(of: "  sandbox:", with: "  sand-box:")
            + "shared:\n  globals: [ok_name, not-c]\n"
        XCTAssertEqual(errors(text), [
            "bulkhead.yaml:1:10: error: invalid program name 'my/server'; use only letters, digits, '_', '.' and '-', "
                + "like 'server'",
            "bulkhead.yaml:3:3: error: invalid library name '2core'; start it with a letter or '_' and use only "
                + "letters, digits, '_' and '-'",
            "bulkhead.yaml:10:3: error: 'sand-box' is not a C identifier; write the compartment name with letters, "
                + "digits and '_', not starting with a digit",
            "bulkhead.yaml:13:22: error: 'not-c' is not a C identifier; write the global variable name with letters, "
                + "digits and '_', not starting with a digit",
        ])
    }

    // MARK: - Values

    func testBadBackend() {
        XCTAssertEqual(errors(base + "backend: proces\n"), [
            "bulkhead.yaml:12:10: error: backend must be one of fcall, process, mpk, not 'proces'; did you mean "
                + "'process'?",
        ])
        XCTAssertEqual(errors(base + "backend: threads\n"), [
            "bulkhead.yaml:12:10: error: backend must be one of fcall, process, mpk, not 'threads'",
        ])
    }

    func testBadHardeningAndFaultPolicy() {
        let text = base + "    hardening: [asan, msan, stackprotector]\n    on_fault: retry\n"
        XCTAssertEqual(errors(text), [
            "bulkhead.yaml:12:23: error: hardening must be one of asan, ubsan, stack-protector, safe-stack, cfi, "
                + "fortify, not 'msan'; did you mean 'asan'?",
            "bulkhead.yaml:12:29: error: hardening must be one of asan, ubsan, stack-protector, safe-stack, cfi, "
                + "fortify, not 'stackprotector'; did you mean 'stack-protector'?",
            "bulkhead.yaml:13:15: error: on_fault must be one of abort, restart, not 'retry'",
        ])
    }

    func testPrivateRodata() throws {
        let config = try parse(base + "    private_rodata: true\n")
        XCTAssertEqual(config.compartments.map(\.privateRodata), [false, true])
        XCTAssertEqual(errors(base + "    private_rodata: sometimes\n"), [
            "bulkhead.yaml:12:21: error: expected true or false for 'private_rodata'; found the string 'sometimes'",
        ])
    }

    func testSyscallFilters() throws {
        XCTAssertEqual(try parse(base).compartments.map(\.syscallFilter), [.baseline, .baseline])
        let unrestricted = try parse(base + "    syscalls: unrestricted\n").compartments[1]
        XCTAssertEqual(unrestricted.syscallFilter, .unrestricted)
        XCTAssertEqual(unrestricted.syscalls, [])
        let empty = try parse(base + "    syscalls: []\n").compartments[1]   // the runtime's own calls only
        XCTAssertEqual(empty.syscallFilter, .allowlist)
        XCTAssertEqual(empty.syscalls, [])
        XCTAssertEqual(errors(base + "    syscalls: all\n"), [
            "bulkhead.yaml:12:15: error: expected a list of system call names for 'syscalls', like [read, write], or "
                + "'unrestricted' (no filter at all); found the string 'all'",
        ])
    }

    func testUnknownSyscall() {
        XCTAssertEqual(errors(base + "    syscalls: [read, wrte, frobnicate]\n"), [
            "bulkhead.yaml:12:22: error: unknown syscall 'wrte'; did you mean 'write'?",
            "bulkhead.yaml:12:28: error: unknown syscall 'frobnicate'; write a Linux x86_64 system call name, "
                + "like 'read'",
        ])
    }

    func testUnknownLibraryInCompartmentWithDidYouMean() {
        XCTAssertEqual(errors(base.replacingOccurrences(of: "[parser]", with: "[parsr, zlib]")), [
            "bulkhead.yaml:11:17: error: unknown library 'parsr'; did you mean 'parser'?",
            "bulkhead.yaml:11:24: error: unknown library 'zlib'; define it under 'libraries' first",
        ])
        XCTAssertEqual(errors(base + "shared:\n  heap: [cor]\n"), [
            "bulkhead.yaml:13:10: error: unknown library 'cor'; did you mean 'core'?",
        ])
    }

    func testLibraryListedByTwoCompartments() {
        XCTAssertEqual(errors(base + "  third:\n    libraries: [core, parser]\n"), [
            "bulkhead.yaml:13:23: error: library 'parser' is already in compartment 'sandbox'; list each library in "
                + "one compartment only",
        ])
    }

    func testTwoDefaults() {
        XCTAssertEqual(errors(base + "    default: true\n  third:\n    default: yes\n"), [
            "bulkhead.yaml:12:14: error: compartment 'sandbox' has 'default: true', but compartment 'main' already "
                + "has it; mark only one compartment as the default",
            "bulkhead.yaml:14:14: error: compartment 'third' has 'default: true', but compartment 'main' already "
                + "has it; mark only one compartment as the default",
        ])
    }

    func testNoDefault() {
        XCTAssertEqual(errors(base.replacingOccurrences(of: "default: true", with: "default: false")), [
            "bulkhead.yaml:7:1: error: no compartment has 'default: true'; add it to the compartment that should hold "
                + "every library not listed elsewhere",
        ])
    }

    func testStringTogetherWithSizeOrCount() {
        let text = base + "gates:\n  f:\n    args:\n      s: { string: true, size: n }\n    ret: { count: 2, string: true }\n"
        XCTAssertEqual(errors(text), [
            "bulkhead.yaml:15:12: error: 'string: true' cannot be combined with 'size'; a string is copied up to its "
                + "terminating NUL, so remove one of them",
            "bulkhead.yaml:16:22: error: 'string: true' cannot be combined with 'count'; a string is copied up to its "
                + "terminating NUL, so remove one of them",
        ])
    }

    func testGateMistakes() {
        let text = base + "gates:\n  f:\n    args:\n      p: { dir: sideways }\n      q: out\n    ret: { dir: out }\n"
        XCTAssertEqual(errors(text), [
            "bulkhead.yaml:15:17: error: dir must be one of in, out, inout, not 'sideways'",
            "bulkhead.yaml:16:10: error: expected a map of marshalling settings for 'q', like "
                + "'q: { dir: out, size: len }'; found the string 'out'",
            "bulkhead.yaml:17:12: error: 'dir' is not allowed in 'ret'; a result is always passed back to the caller, "
                + "so remove it",
        ])
    }

    func testColumnsCountBytesLikeClang() {
        XCTAssertEqual(errors(base + "cflags: [é, {a: b}]\n"), [
            "bulkhead.yaml:12:14: error: expected a list of strings for 'cflags', like [-O2, -DNDEBUG]; this item is "
                + "a map",
        ])
    }

    func testErrorsComeInFileOrder() {
        let text = "backend: x\n" + base.replacingOccurrences(of: "[parser]", with: "[nope]") + "bogus: 1\n"
        XCTAssertEqual(errors(text).map { String($0.prefix(while: { $0 != " " })) },
                       ["bulkhead.yaml:1:10:", "bulkhead.yaml:12:17:", "bulkhead.yaml:13:1:"])
    }

    // MARK: - load(path:)

    func testLoadReadsTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cfgtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bulkhead.yaml")
        try base.write(to: file, atomically: true, encoding: .utf8)
        let config = try ConfigParser.load(path: file.path)
        XCTAssertEqual(config.path, file.path)
        XCTAssertEqual(config.displayPath, file.path)
        XCTAssertEqual(config.baseDirectory, folder.standardizedFileURL.path)
        XCTAssertEqual(config.program.location, SourceLocation(file: file.path, line: 1, column: 10))

        try Data([0x70, 0x3a, 0x20, 0x0a, 0x61, 0x3a, 0x20, 0xff, 0x0a]).write(to: file)
        XCTAssertThrowsError(try ConfigParser.load(path: file.path)) { error in
            XCTAssertEqual("\(error)", "\(file.path):2:4: error: the annotation file is not valid UTF-8 text; save it "
                           + "as UTF-8")
        }
        XCTAssertThrowsError(try ConfigParser.load(path: folder.path)) { error in
            XCTAssertEqual("\(error)", "bulkhead: error: cannot read annotation file '\(folder.path)': Is a directory")
        }
    }

    func testLoadMissingFile() {
        XCTAssertThrowsError(try ConfigParser.load(path: "no/such/bulkhead.yaml")) { error in
            XCTAssertEqual((error as? DiagnosticError)?.description,
                           "bulkhead: error: cannot read annotation file 'no/such/bulkhead.yaml': No such file or "
                           + "directory")
        }
    }
}
