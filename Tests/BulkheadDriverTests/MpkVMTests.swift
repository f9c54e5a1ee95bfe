import BulkheadCodegen
import BulkheadConfig
import BulkheadDriver
import Foundation
import XCTest

/// The mpk backend end to end. The machines here have no protection keys, so the programs run in a QEMU guest
/// whose CPU has them (Scripts/vm/run.sh): every fixture and a probe program are built on the host, packed
/// with the shared libraries they load into one bundle, and run in one boot; the fixtures' output must equal
/// the unpartitioned programs' (run on the host). A second boot without PKU checks the refusal to start.
final class MpkVMTests: XCTestCase {
    /// The probe: compartment `vault` keeps a secret in its data and its heap, `counter` counts calls from
    /// eight threads, `walker` recurses through callbacks into main, and installs a signal handler that
    /// touches its own data.
    static let probe: [String: String] = [
        "bulkhead.yaml": """
            program: probe
            cflags: [-std=gnu11, -O1, -Iinclude]
            ldflags: [-pthread]
            libraries:
              app:     { sources: [app/*.c] }
              vault:   { sources: [vault/*.c] }
              counter: { sources: [counter/*.c] }
              walker:  { sources: [walker/*.c] }
            compartments:
              main:    { libraries: [app], default: true }
              vault:   { libraries: [vault] }
              counter: { libraries: [counter] }
              walker:  { libraries: [walker] }
            shared:
              callbacks: [descend]
            """,
        "include/probe.h": """
            #include <setjmp.h>
            const char *vault_data_secret(void);
            const char *vault_heap_secret(void);
            int vault_check(const char *guess);
            void counter_add(long n);
            long counter_total(void);
            long walk(long depth, long (*back)(long));
            int walker_signal(void);
            long descend(long depth);
            long counter_spawn_peek(const char *p);
            long counter_steal(void);
            const long *counter_secret(void);
            void counter_jump(jmp_buf *jb);
            """,
        "vault/vault.c": """
            #include <stdlib.h>
            #include <string.h>
            #include "probe.h"
            static char secret[64] = "data-secret-of-the-vault";
            static char *heap_secret;
            const char *vault_data_secret(void) { return secret; }
            const char *vault_heap_secret(void)
            {
                if (!heap_secret) { heap_secret = malloc(32); strcpy(heap_secret, "heap-secret-of-the-vault"); }
                return heap_secret;
            }
            int vault_check(const char *guess) { return strcmp(guess, secret) == 0 && strcmp(vault_heap_secret(), "heap-secret-of-the-vault") == 0; }
            """,
        "counter/counter.c": """
            #include <pthread.h>
            #include "probe.h"
            static long total;
            static long secret = 7;
            const long *counter_secret(void) { return &secret; }
            void counter_jump(jmp_buf *jb) { longjmp(*jb, 5); }
            static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
            void counter_add(long n) { pthread_mutex_lock(&lock); total += n; pthread_mutex_unlock(&lock); }
            long counter_total(void) { return total; }
            /* hostile: a gate of the vault that only main may call, entered directly */
            const char *bh_gate_vault_data_secret(void);
            long counter_steal(void) { return bh_gate_vault_data_secret()[0]; }
            static void *peek(void *p) { return (void *)(long)*(volatile const char *)p; }
            long counter_spawn_peek(const char *p)
            {
                pthread_t t;
                void *r = 0;
                pthread_create(&t, 0, peek, (void *)p);
                pthread_join(t, &r);
                return (long)r;
            }
            """,
        "walker/walker.c": """
            #include <signal.h>
            #include "probe.h"
            static long visits;
            static volatile sig_atomic_t handled;
            long walk(long depth, long (*back)(long))
            {
                visits++;
                return depth <= 0 ? visits : back(depth - 1) + 1;
            }
            static void on_usr1(int sig) { (void)sig; visits += 1000000; handled = 1; }
            int walker_signal(void)
            {
                signal(SIGUSR1, on_usr1);
                raise(SIGUSR1);
                return handled && visits >= 1000000;
            }
            """,
        "app/main.c": """
            #define _GNU_SOURCE
            #include <link.h>
            #include <pthread.h>
            #include <stdio.h>
            #include <string.h>
            #include "probe.h"
            long descend(long depth) { return walk(depth, descend); }
            static void *worker(void *arg)
            {
                (void)arg;
                for (int i = 0; i < 10000; i++) counter_add(1);
                return 0;
            }
            /* WRPKRU left in the loaded libraries' code */
            static int gadgets(struct dl_phdr_info *info, size_t size, void *count)
            {
                (void)size;
                if (!info->dlpi_name[0]) return 0;
                for (int i = 0; i < info->dlpi_phnum; i++) {
                    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
                    const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
                    for (size_t k = 0; k + 3 <= ph->p_memsz; k++)
                        if (p[k] == 0x0f && p[k + 1] == 0x01 && p[k + 2] == 0xef)
                            ++*(int *)count;
                }
                return 0;
            }
            int main(int argc, char **argv)
            {
                const char *what = argc > 1 ? argv[1] : "";
                setvbuf(stdout, 0, _IONBF, 0);
                if (!strcmp(what, "check")) { printf("vault_check: %d\\n", vault_check("data-secret-of-the-vault")); return 0; }
                if (!strcmp(what, "data")) { const char *s = vault_data_secret(); printf("reading...\\n"); printf("read %c\\n", s[0]); return 0; }
                if (!strcmp(what, "heap")) { const char *s = vault_heap_secret(); printf("reading...\\n"); printf("read %c\\n", s[0]); return 0; }
                if (!strcmp(what, "threads")) {
                    pthread_t t[8];
                    for (int i = 0; i < 8; i++) pthread_create(&t[i], 0, worker, 0);
                    for (int i = 0; i < 8; i++) pthread_join(t[i], 0);
                    printf("total %ld\\n", counter_total());
                    return 0;
                }
                if (!strcmp(what, "recursion")) { printf("walk %ld\\n", descend(20000)); return 0; }
                if (!strcmp(what, "steal")) { printf("stealing...\\n"); printf("stole %ld\\n", counter_steal()); return 0; }
                if (!strcmp(what, "threadpeek")) { printf("reading...\\n"); printf("read %ld\\n", counter_spawn_peek(vault_data_secret())); return 0; }
                if (!strcmp(what, "gadgets")) { int n = 0; dl_iterate_phdr(gadgets, &n); printf("WRPKRU left in the libraries: %d\\n", n); return 0; }
                if (!strcmp(what, "jumpout")) {
                    const long *p = counter_secret();
                    jmp_buf jb;
                    int v = setjmp(jb);
                    if (v == 0) counter_jump(&jb);
                    printf("back %d\\n", v);
                    printf("read %ld\\n", *p);
                    return 0;
                }
                if (!strcmp(what, "signal")) { printf("handler ran in walker: %d\\n", walker_signal()); return 0; }
                return 2;
            }
            """,
    ]

    /// Writes `files` under a new folder and returns it.
    static func write(_ files: [String: String], name: String) throws -> String {
        let dir = try TestSupport.temporaryDirectory(name)
        for (path, text) in files {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// Builds the tree of `config` under mpk into `dir`; returns make's result. `on_fault: restart` is a
    /// build-time error under mpk: a fixture that asks for it is built with `abort`.
    static func build(_ config: String, into dir: String, privateStacks: Bool = false) throws -> TestSupport.ProcessResult {
        var pipeline = Pipeline(configPath: config, backend: .mpk)
        pipeline.configText = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "on_fault: restart", with: "on_fault: abort")
        if privateStacks { pipeline.configText = pipeline.configText.map(Self.everyCompartmentPrivate) }
        let result = try pipeline.run()
        try TreeWriter.write(result.tree, to: dir)
        return try TestSupport.run(["make", "-s", "-C", dir])
    }

    /// `gate: private` on every compartment of a configuration written one compartment a line.
    static func everyCompartmentPrivate(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.contains("{ libraries: [") ? line.replacingOccurrences(of: " }", with: ", gate: private }") : String(line)
        }.joined(separator: "\n")
    }

    /// libpng's pngtest built under mpk into `work`, its inputs under `bundle`/libpng; returns the guest's
    /// script lines and, by run id, the original pngtest's results on the same inputs here.
    static func addLibpng(work: String, bundle: String) throws -> (script: String, expected: [String: TestSupport.ProcessResult]) {
        let fetch = try TestSupport.run([TestSupport.repositoryRoot + "/Scripts/fetch-real.sh", "libpng"])
        XCTAssertEqual(fetch.status, 0, "libpng: fetch failed: \(fetch.stderr)")
        guard fetch.status == 0 else { return ("", [:]) }
        let program = work + "/libpng-program", fixture = TestSupport.fixtures + "/real/libpng"
        _ = try TestSupport.run(["cp", "-a", fetch.stdout.trimmingCharacters(in: .whitespacesAndNewlines), program])
        for item in try FileManager.default.contentsOfDirectory(atPath: fixture) where !["source", "prepare.sh", "workload.sh"].contains(item) {
            _ = try TestSupport.run(["cp", "-a", fixture + "/" + item, program + "/" + item])
        }
        let make = try build(program + "/bulkhead.yaml", into: work + "/libpng-tree")
        XCTAssertEqual(make.status, 0, "libpng: make failed under mpk:\n\(make.stderr)")
        guard make.status == 0 else { return ("", [:]) }
        let original = try Reference.build(configPath: program + "/bulkhead.yaml", into: work + "/libpng-original")
        let run = bundle + "/libpng"
        try FileManager.default.createDirectory(atPath: run + "/out", withIntermediateDirectories: true)
        _ = try TestSupport.run(["cp", work + "/libpng-tree/pngtest", run + "/pngtest"])
        try addLibraries(of: run + "/pngtest", to: bundle)
        var inputs = ["pngtest.png", "basn0g01.png", "basn2c16.png", "basn3p08.png", "basn6a16.png", "ibasn4a08.png", "ftbbn3p08.png"]
        _ = try TestSupport.run(["cp", program + "/pngtest.png", run + "/pngtest.png"])
        for name in inputs.dropFirst() { _ = try TestSupport.run(["cp", program + "/contrib/pngsuite/" + name, run + "/" + name]) }
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: program + "/pngtest.png")))
        for n in [33, 1000, image.count / 2] {
            FileManager.default.createFile(atPath: run + "/trunc-\(n).png", contents: Data(image.prefix(n)))
            inputs.append("trunc-\(n).png")
        }
        for offset in [16, 29, image.count / 3, image.count - 8] {
            var bad = image
            bad[offset] ^= 0xff
            FileManager.default.createFile(atPath: run + "/flip-\(offset).png", contents: Data(bad))
            inputs.append("flip-\(offset).png")
        }
        var script = "", expected: [String: TestSupport.ProcessResult] = [:]
        for input in inputs {
            let id = "libpng-" + input
            expected[id] = try TestSupport.run([original, input, "out/" + input], in: run)
            script += runLine(id, dir: "libpng", argv: ["./pngtest", input, "out/" + input])
        }
        _ = try TestSupport.run(["sh", "-c", "rm -f out/*"], in: run)
        return (script, expected)
    }

    /// Fixtures/longjmp's hostile modes.
    static let hostileJumps = ["bogus", "forged", "hijack"]

    /// Copies the shared libraries `program` loads (ldd) under `bundle`/sysroot at their paths.
    static func addLibraries(of program: String, to bundle: String) throws {
        let ldd = try TestSupport.run(["ldd", program])
        for word in ldd.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) where word.hasPrefix("/") {
            let target = bundle + "/sysroot" + word
            if FileManager.default.fileExists(atPath: target) { continue }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = try TestSupport.run(["cp", "-L", String(word), target])
        }
    }

    /// The guest's script line that runs `argv` in folder `dir` of the bundle, between markers.
    static func runLine(_ id: String, dir: String, argv: [String]) -> String {
        "echo \"@@RUN \(id)@@\"; (cd /t/\(dir) && \(argv.joined(separator: " ")) > /tmp/out 2> /tmp/err; echo $? > /tmp/status); "
            + "cat /tmp/out; echo \"@@ERR@@\"; cat /tmp/err; echo \"@@STATUS $(cat /tmp/status)@@\"\n"
    }

    /// Splits the guest's output into (stdout, stderr, status) by run id.
    static func parse(_ text: String) -> [String: (out: String, err: String, status: Int32)] {
        var runs: [String: (out: String, err: String, status: Int32)] = [:]
        for chunk in text.components(separatedBy: "@@RUN ").dropFirst() {
            guard let idEnd = chunk.range(of: "@@\n") else { continue }
            let id = String(chunk[..<idEnd.lowerBound])
            let rest = chunk[idEnd.upperBound...]
            guard let errMark = rest.range(of: "@@ERR@@\n"), let statusMark = rest.range(of: "@@STATUS ", options: .backwards) else { continue }
            let out = String(rest[..<errMark.lowerBound])
            let err = String(rest[errMark.upperBound..<statusMark.lowerBound])
            let status = Int32(rest[statusMark.upperBound...].prefix { $0.isNumber }) ?? -1
            runs[id] = (out, err, status)
        }
        return runs
    }

    func testFixturesAndProbeUnderProtectionKeys() throws {
        let work = try TestSupport.temporaryDirectory("mpkvm")
        let bundle = work + "/bundle"
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        var script = "cp -r /t/sysroot/* /\n"
        var expected: [String: (out: String, err: String, status: Int32)] = [:]

        // every fixture, under mpk, against the unpartitioned program run here; longjmp's also with every
        // compartment on private stacks (a jump leaves gates that moved stacks)
        let fixtures = TestSupport.programFixtures().flatMap { $0 == "longjmp" ? [$0, $0 + "-private"] : [$0] }
        for name in fixtures {
            let privateStacks = name.hasSuffix("-private")
            let folder = "\(TestSupport.fixtures)/\(privateStacks ? String(name.dropLast("-private".count)) : name)"
            let tree = work + "/" + name
            let make = try Self.build(folder + "/bulkhead.yaml", into: tree, privateStacks: privateStacks)
            XCTAssertEqual(make.status, 0, "\(name): make failed under mpk:\n\(make.stderr)")
            guard make.status == 0 else { continue }
            let program = try Pipeline(configPath: folder + "/bulkhead.yaml").loadConfig().program.value
            let original = try Reference.build(configPath: folder + "/bulkhead.yaml", into: work + "/original-" + name)
            let runDir = work + "/run-" + name
            try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
            let reference = try TestSupport.run([original], in: runDir)
            expected[name] = (reference.stdout, reference.stderr, reference.status)
            try FileManager.default.createDirectory(atPath: bundle + "/" + name, withIntermediateDirectories: true)
            _ = try TestSupport.run(["cp", tree + "/" + program, bundle + "/" + name + "/" + program])
            try Self.addLibraries(of: tree + "/" + program, to: bundle)
            script += Self.runLine(name, dir: name, argv: ["./" + program])
            if program == "longjmp" {
                for mode in Self.hostileJumps { script += Self.runLine("\(name)-\(mode)", dir: name, argv: ["./longjmp", mode]) }
            }
        }

        // a real code base: lz4 (fetched into the cache), its driver round-tripping lz4's own sources and a
        // generated file through every API, under mpk in the guest against the original here
        let fetch = try TestSupport.run([TestSupport.repositoryRoot + "/Scripts/fetch-real.sh", "lz4"])
        XCTAssertEqual(fetch.status, 0, "lz4: fetch failed: \(fetch.stderr)")
        var lz4Expected: TestSupport.ProcessResult?
        if fetch.status == 0 {
            let program = work + "/lz4-program", fixture = TestSupport.fixtures + "/real/lz4"
            _ = try TestSupport.run(["cp", "-a", fetch.stdout.trimmingCharacters(in: .whitespacesAndNewlines), program])
            for item in try FileManager.default.contentsOfDirectory(atPath: fixture) where !["source", "prepare.sh", "workload.sh"].contains(item) {
                _ = try TestSupport.run(["cp", "-a", fixture + "/" + item, program + "/" + item])
            }
            let make = try Self.build(program + "/bulkhead.yaml", into: work + "/lz4-tree")
            XCTAssertEqual(make.status, 0, "lz4: make failed under mpk:\n\(make.stderr)")
            let original = try Reference.build(configPath: program + "/bulkhead.yaml", into: work + "/lz4-original")
            let run = bundle + "/lz4"
            try FileManager.default.createDirectory(atPath: run + "/in", withIntermediateDirectories: true)
            var inputs: [String] = []
            for file in try FileManager.default.contentsOfDirectory(atPath: program + "/lz4libs").sorted() where file.hasSuffix(".c") || file.hasSuffix(".h") {
                _ = try TestSupport.run(["cp", program + "/lz4libs/" + file, run + "/in/" + file])
                inputs.append("in/" + file)
            }
            var bytes = [UInt8](repeating: 0, count: 200_000)
            var x: UInt32 = 7
            for i in bytes.indices { x = x &* 1_103_515_245 &+ 12345; bytes[i] = UInt8(truncatingIfNeeded: x >> 16) }
            FileManager.default.createFile(atPath: run + "/in/random.bin", contents: Data(bytes))
            FileManager.default.createFile(atPath: run + "/in/empty", contents: Data())
            inputs += ["in/random.bin", "in/empty"]
            if make.status == 0 {
                lz4Expected = try TestSupport.run([original] + inputs, in: run)
                _ = try TestSupport.run(["cp", work + "/lz4-tree/lz4rt", run + "/lz4rt"])
                try Self.addLibraries(of: work + "/lz4-tree/lz4rt", to: bundle)
                script += Self.runLine("lz4", dir: "lz4", argv: ["./lz4rt"] + inputs)
            }
        }

        // libpng (fetched into the cache): pngtest on its own image, a few of PngSuite's, and corrupted copies
        // that take png_error's longjmp out of libpng's compartment to pngtest's setjmp
        let png = try Self.addLibpng(work: work, bundle: bundle)
        script += png.script

        // the probe, with light gates, and with every compartment on private stacks (`gate: private`)
        let kinds = ["light": false, "private": true]
        for (kind, privateStacks) in kinds.sorted(by: { $0.key < $1.key }) {
            var files = Self.probe
            if privateStacks { files["bulkhead.yaml"] = Self.everyCompartmentPrivate(files["bulkhead.yaml"]!) }
            let probe = try Self.write(files, name: "mpkprobe" + kind)
            let make = try Self.build(probe + "/bulkhead.yaml", into: work + "/probe-" + kind)
            XCTAssertEqual(make.status, 0, "probe (\(kind)): make failed:\n\(make.stderr)")
            try FileManager.default.createDirectory(atPath: bundle + "/probe-" + kind, withIntermediateDirectories: true)
            _ = try TestSupport.run(["cp", work + "/probe-\(kind)/probe", bundle + "/probe-\(kind)/probe"])
            try Self.addLibraries(of: work + "/probe-\(kind)/probe", to: bundle)
            for what in ["check", "data", "heap", "steal", "threadpeek", "threads", "recursion", "signal", "gadgets", "jumpout"] {
                script += Self.runLine("probe-\(kind)-" + what, dir: "probe-" + kind, argv: ["./probe", what])
            }
        }
        try script.write(toFile: bundle + "/run.sh", atomically: true, encoding: .utf8)

        let vm = try TestSupport.run([TestSupport.repositoryRoot + "/Scripts/vm/run.sh", bundle])
        XCTAssertEqual(vm.status, 0, "the guest's run failed:\n\(vm.stderr)\n\(vm.stdout)")
        let runs = Self.parse(vm.stdout)
        for name in fixtures {
            guard let want = expected[name] else { continue }
            guard let got = runs[name] else { XCTFail("\(name): no output from the guest:\n\(vm.stdout)"); continue }
            XCTAssertEqual(got.status, want.status, "\(name) (mpk): exit status differs; stderr:\n\(got.err)")
            XCTAssertEqual(got.out, want.out, "\(name) (mpk): stdout differs")
            XCTAssertEqual(got.err, want.err, "\(name) (mpk): stderr differs")
        }
        // a leaf that jumps to a jmp_buf no active frame set, to one it made up, or to main's, rewritten to
        // resume past main's setjmp: each a fault, reported, under light and private gates
        for name in fixtures where name.hasPrefix("longjmp") {
            for mode in Self.hostileJumps {
                let r = runs["\(name)-\(mode)"]
                XCTAssertEqual(r?.status, 134, "\(name) \(mode): \(r?.err ?? "no run")")
                XCTAssertEqual(r?.out, "", "\(name) \(mode): main went on after the call")
                XCTAssertTrue(r?.err.hasPrefix("bulkhead: longjmp: compartment 'leaf' made a longjmp to a jmp_buf at 0x") ?? false, "\(name) \(mode): \(r?.err ?? "")")
            }
        }
        XCTAssertGreaterThan(png.expected.filter { $0.value.status != 0 }.count, 3, "libpng: too few runs took the error path")
        for (id, want) in png.expected.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(runs[id]?.status, want.status, "\(id) (mpk): \(runs[id]?.err ?? "no run")")
            XCTAssertEqual(runs[id]?.out, want.stdout, "\(id) (mpk): stdout differs")
            XCTAssertEqual(runs[id]?.err, want.stderr, "\(id) (mpk): stderr differs")
        }
        if let want = lz4Expected {
            XCTAssertGreaterThan(want.stdout.split(separator: "\n").count, 5, "lz4: the workload did too little")
            XCTAssertEqual(runs["lz4"]?.status, want.status, "lz4 (mpk): \(runs["lz4"]?.err ?? "no run")")
            XCTAssertEqual(runs["lz4"]?.out, want.stdout, "lz4 (mpk): outputs differ")
        }
        for kind in kinds.keys.sorted() {
            let run = { (what: String) in runs["probe-\(kind)-" + what] }
            XCTAssertEqual(run("check")?.out, "vault_check: 1\n", "\(kind): \(run("check")?.err ?? "no run")")
            XCTAssertEqual(run("check")?.status, 0)
            for what in ["data", "heap"] {
                let r = run(what)
                XCTAssertEqual(r?.out, "reading...\n", "probe \(kind) \(what): main must not read the vault's secret")
                XCTAssertEqual(r?.status, 134, "probe \(kind) \(what): aborted (SIGABRT)")
                XCTAssertTrue(r?.err.hasPrefix("bulkhead: probe: compartment 'main' touched memory of compartment 'vault' (protection key 2) at 0x") ?? false,
                              "probe \(kind) \(what): \(r?.err ?? "no run")")
                XCTAssertTrue(r?.err.contains("inside gate '(none: main)'") ?? false, r?.err ?? "")
            }
            // a gate entered by a compartment that the plan does not let call it
            let steal = run("steal")
            XCTAssertEqual(steal?.out, "stealing...\n", "\(kind) steal: \(steal?.err ?? "no run")")
            XCTAssertEqual(steal?.status, 134)
            XCTAssertEqual(steal?.err.components(separatedBy: "\n").first,
                           "bulkhead: probe: compartment 'counter' entered gate 'vault_data_secret', which the plan does not let it call (only the compartments that call it by name may); aborting")
            // a thread created inside a compartment runs with its rights, and is reported as it
            let peek = run("threadpeek")
            XCTAssertEqual(peek?.out, "reading...\n", "\(kind) threadpeek: \(peek?.err ?? "no run")")
            XCTAssertEqual(peek?.status, 134)
            XCTAssertTrue(peek?.err.hasPrefix("bulkhead: probe: compartment 'counter' touched memory of compartment 'vault' (protection key 2) at 0x") ?? false, peek?.err ?? "")
            XCTAssertTrue(peek?.err.contains("inside gate 'counter_spawn_peek'") ?? false, peek?.err ?? "")
            XCTAssertEqual(run("threads")?.out, "total 80000\n", "\(kind): \(run("threads")?.err ?? "")")
            XCTAssertEqual(run("recursion")?.out, "walk 40001\n", "\(kind): \(run("recursion")?.err ?? "")")
            XCTAssertEqual(run("gadgets")?.out, "WRPKRU left in the libraries: 0\n", "\(kind): \(run("gadgets")?.err ?? "")")
            XCTAssertEqual(run("signal")?.out, "handler ran in walker: 1\n", "\(kind): \(run("signal")?.err ?? "")")
            // a longjmp out of counter resumes main with main's rights only: counter's data stays out of reach
            let jump = run("jumpout")
            XCTAssertEqual(jump?.out, "back 5\n", "\(kind) jumpout: \(jump?.err ?? "no run")")
            XCTAssertEqual(jump?.status, 134)
            XCTAssertTrue(jump?.err.hasPrefix("bulkhead: probe: compartment 'main' touched memory of compartment 'counter' (protection key 3) at 0x") ?? false, jump?.err ?? "")
            XCTAssertTrue(jump?.err.contains("inside gate '(none: main)'") ?? false, jump?.err ?? "")
        }

        // without protection keys: one clear line and a non-zero exit
        let noKeys = work + "/nopku"
        try FileManager.default.createDirectory(atPath: noKeys + "/probe", withIntermediateDirectories: true)
        _ = try TestSupport.run(["cp", "-r", bundle + "/sysroot", noKeys + "/sysroot"])
        _ = try TestSupport.run(["cp", work + "/probe-light/probe", noKeys + "/probe/probe"])
        try ("cp -r /t/sysroot/* /\n" + Self.runLine("nopku", dir: "probe", argv: ["./probe", "check"]))
            .write(toFile: noKeys + "/run.sh", atomically: true, encoding: .utf8)
        let without = try TestSupport.run([TestSupport.repositoryRoot + "/Scripts/vm/run.sh", "--cpu", "max,-pku", noKeys])
        let r = Self.parse(without.stdout)["nopku"]
        XCTAssertEqual(r?.err, "probe: this CPU has no protection keys (pku); build with backend: process\n", without.stdout + without.stderr)
        XCTAssertEqual(r?.out, "")
        XCTAssertEqual(r?.status, 1)
    }
}
