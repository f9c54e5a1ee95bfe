"""Bulkhead's benchmarks. Run through Scripts/bench.sh; see its header."""
import json, os, platform, shutil, statistics, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BULKHEAD = os.environ.get("BULKHEAD", "bulkhead")
REPS = int(os.environ.get("BENCH_REPS", "7"))
CORES = os.cpu_count() or 1


def timed(argv, cwd=None):
    """Wall seconds and peak RSS (KiB) of one process."""
    t = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    if p.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed: {err[:500]}")
    return time.perf_counter() - t, ru.ru_maxrss


def median_of(fn):
    return statistics.median(fn() for _ in range(REPS))


def syntax_only_all(jobs):
    """clang -fsyntax-only over every TU, on every core; returns wall seconds and the largest peak RSS."""
    t = time.perf_counter()
    with ThreadPoolExecutor(CORES) as pool:
        results = list(pool.map(lambda j: timed(["clang-14", "-fsyntax-only"] + j["args"] + [j["file"]], cwd=j["dir"]), jobs))
    return time.perf_counter() - t, max(r[1] for r in results)


def jobs_of(tree):
    out = []
    for e in json.load(open(os.path.join(tree, "compile_commands.json"))):
        args = e["arguments"][1:-4]  # drop cc and "-c FILE -o OBJ"
        out.append({"dir": e["directory"], "file": e["file"], "args": args})
    return out


def compiler_figures(name, yaml):
    work = tempfile.mkdtemp(prefix="bh-bench-")
    try:
        tree = os.path.join(work, "tree")
        subprocess.run([BULKHEAD, "build", yaml, "-o", tree], check=True)
        src_jobs = []
        base = os.path.dirname(os.path.abspath(yaml))
        for j in jobs_of(tree):  # the same TUs and flags, on the original sources
            rel = os.path.relpath(os.path.join(tree, j["dir"]), os.path.join(tree, "src"))
            src_jobs.append({"dir": os.path.join(base, rel), "file": j["file"],
                             "args": [a for a in j["args"] if not a.startswith("-fsanitize") and a != "-fno-omit-frame-pointer"]})
        build = [timed([BULKHEAD, "build", yaml, "-o", tree]) for _ in range(REPS)]
        clang = [syntax_only_all(src_jobs) for _ in range(REPS)]
        check = [timed([BULKHEAD, "check", yaml, "-o", tree]) for _ in range(REPS)]
        cocci = coccinelle(tree, src_jobs)
        b = statistics.median(x[0] for x in build)
        c = statistics.median(x[0] for x in clang)
        k = statistics.median(x[0] for x in check)
        bm = max(x[1] for x in build)
        cm = max(x[1] for x in clang)
        return {"program": name, "units": len(src_jobs), "build_s": b, "clang_syntax_only_s": c,
                "build_vs_clang": b / c, "check_s": k, "check_vs_build": k / b,
                "build_peak_kib": bm, "clang_peak_kib": cm, "memory_vs_clang": bm / cm,
                "coccinelle_s": cocci, "build_vs_coccinelle": (b / cocci) if cocci else None}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def coccinelle(tree, jobs):
    """Coccinelle (FlexOS's rewriting tool) doing the same call rewriting, once, when `spatch` is installed:
    one rule per gate renaming its calls, over the same units with the same include folders."""
    if not shutil.which("spatch"):
        return None
    plan = json.load(open(os.path.join(tree, "bulkhead.manifest.json")))
    if not plan["gates"]:
        return None
    rules = "".join(f"@@\n@@\n- {g['name']}\n+ {g['stub']}\n  (...)\n\n" for g in plan["gates"])
    work = tempfile.mkdtemp(prefix="bh-cocci-")
    try:
        patch = os.path.join(work, "gates.cocci")
        open(patch, "w").write(rules)
        t = time.perf_counter()
        def one(j):
            incs = [a for a in j["args"] if a.startswith("-I")]
            argv = ["spatch", "--sp-file", patch, "--very-quiet", "--no-show-diff", "--timeout", "600"]
            for i in incs:
                argv += ["-I", i[2:]]
            subprocess.run(argv + [j["file"]], cwd=j["dir"], capture_output=True, timeout=900)
        with ThreadPoolExecutor(CORES) as pool:
            list(pool.map(one, jobs))
        return time.perf_counter() - t
    except subprocess.TimeoutExpired:
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


GATE_BENCH = r'''
#include <stdio.h>
#include <time.h>
__attribute__((noinline)) int callee(int x) { __asm__ volatile(""); return x + 1; }
extern __typeof__(callee) bh_gate_callee;
__attribute__((noinline)) int bh_gate_callee(int x) { return callee(x); }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    long n = 200000000; int acc = 0;
    int (*volatile fn)(int) = argc > 1 ? bh_gate_callee : callee;
    (void)argv;
    double t = now();
    for (long i = 0; i < n; i++) acc = fn(acc);
    printf("%.4f %d\n", (now() - t) / n * 1e9, acc);
    return 0;
}
'''


def gate_figures():
    work = tempfile.mkdtemp(prefix="bh-gate-")
    try:
        src = os.path.join(work, "g.c")
        open(src, "w").write(GATE_BENCH)
        exe = os.path.join(work, "g")
        subprocess.run(["cc", "-O2", "-o", exe, src], check=True)
        def ns(args):
            return float(subprocess.run([exe] + args, capture_output=True, text=True, check=True).stdout.split()[0])
        direct, gate = [], []
        for _ in range(REPS):  # interleaved, so that noise hits both
            direct.append(ns([]))
            gate.append(ns(["gate"]))
        d, g = statistics.median(direct), statistics.median(gate)
        return {"direct_call_ns": d, "fcall_gate_ns": g, "fcall_vs_direct": g / d}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_gate_programs(out):
    """Builds into `out` the programs the round-trip table runs: raw (the floors), process (the gate
    benchmark under process) and, with BH_NOSPIN_RUNTIME set, sleeping (the same with its spin off).
    Returns {name: path}. Only the C library and libseccomp are linked dynamically (the Swift runtime is
    static), so the folder can be carried to another Linux machine and run there with --prebuilt."""
    raw = os.path.join(out, "raw")
    subprocess.run(["cc", "-O2", "-o", raw, os.path.join(ROOT, "Scripts", "bench", "raw_pingpong.c")], check=True)
    yaml = os.path.join(ROOT, "Scripts", "bench", "gates", "bulkhead.yaml")
    progs = {"raw": raw}
    runtimes = [("process", None)]
    if os.environ.get("BH_NOSPIN_RUNTIME"):
        runtimes.append(("sleeping", os.environ["BH_NOSPIN_RUNTIME"]))
    for name, runtime in runtimes:
        tree = os.path.join(out, name + "-tree")
        subprocess.run([BULKHEAD, "build", yaml, "-o", tree, "--backend", "process"], check=True, capture_output=True)
        subprocess.run(["make", "-s", "-C", tree] + ([f"BH_RUNTIME={runtime}"] if runtime else []),
                       check=True, capture_output=True)
        progs[name] = os.path.join(out, name)
        shutil.copy(os.path.join(tree, "gatebench"), progs[name])
        shutil.rmtree(tree)
    return progs


def process_gate_figures(prebuilt=None):
    """Raw floors and gates of five shapes under process, in the same run, interleaved (the fcall gate
    against a direct call of the same function is gate_figures). `prebuilt`: a folder that
    build_gate_programs filled, instead of building afresh."""
    work = tempfile.mkdtemp(prefix="bh-gates-")
    try:
        if prebuilt:
            progs = {n: os.path.join(prebuilt, n) for n in ("raw", "process", "sleeping")
                     if os.path.exists(os.path.join(prebuilt, n))}
        else:
            progs = build_gate_programs(work)
        raw = progs["raw"]
        samples = {}
        def sample(runs):
            """Runs each program once, in order; its "name ns" lines go to samples[run.name]."""
            for name, argv in runs:
                for line in subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip().splitlines():
                    k, v = line.split()
                    samples.setdefault(f"{name}.{k}", []).append(float(v))
        for _ in range(REPS):
            runs = [("raw", [raw]), ("process", [progs["process"]]), ("cold", [progs["process"], "cold"])]
            if "sleeping" in progs:
                runs.append(("sleeping", [progs["sleeping"], "2000"]))
                runs.append(("after", [raw, "futex"]))  # the sleeping path's baseline, in the same state
            sample(runs)
        if "sleeping" in progs:
            # the sleeping path varies most (a futex wake costs 4 or 40 us on a VM, depending on whether the
            # other vCPU halted): more pairs, and the ratio taken within each pair, then the median
            # and both on one CPU (taskset -c 0), where a wake is a switch between two threads, not an
            # interrupt to a halted vCPU: the same conditions for both
            pin = ["taskset", "-c", "0"] if shutil.which("taskset") else None
            pairs = (("sleeping", [progs["sleeping"], "2000"]), ("after", [raw, "futex"]))
            if pin:
                pairs += (("pinned", pin + [progs["sleeping"], "2000"]), ("pinned_raw", pin + [raw, "futex"]))
            for _ in range(2 * REPS):
                sample(pairs)
        figures = {k: statistics.median(v) for k, v in samples.items()}
        if "sleeping.gate_void" in figures:
            figures["process.gate_void_sleeping"] = figures["sleeping.gate_void"]
            pairs = zip(samples["sleeping.gate_void"], samples["after.futex_pingpong"])
            figures["process.sleeping_vs_futex_paired"] = statistics.median(g / f for g, f in pairs)
        if "pinned.gate_void" in figures:
            pinned = zip(samples["pinned.gate_void"], samples["pinned_raw.futex_pingpong"])
            figures["process.sleeping_pinned_vs_futex_paired"] = statistics.median(g / f for g, f in pinned)
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def mpk_figures():
    """The mpk backend's rows. Protection keys need a CPU with PKU (and a kernel that enables it): where
    /proc/cpuinfo lacks the flag the rows say so instead of a number (emulated timings under QEMU mean
    nothing)."""
    flags = ""
    try:
        flags = next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "")
    except OSError:
        pass
    has = " pku" in flags and " ospke" in flags
    status = "PKU present: not measured by this script yet" if has else "no PKU on this machine"
    return {"status": status, "rows": ["mpk gates: light gate `void f(void)`", "mpk gates: private-stack gate `void f(void)`",
                                       "cmark-gfm, lz4, brotli under mpk"]}


def print_mpk_table(m):
    if m:
        print("\n| mpk | figure |")
        print("|---|---|")
        for row in m["rows"]:
            print(f"| {row} | {m['status']} |")


def new_results():
    return {"machine": {"cpu": cpu_name(), "cores": CORES, "system": platform.platform()}, "reps": REPS}


def finish(results, out):
    json.dump(results, open(out, "w"), indent=2, sort_keys=True)
    print_table(results)
    print(f"\nwritten: {out}")


def main_prebuilt(out, folder):
    """Only the round-trip table, from programs built elsewhere by `bench.py --pack FOLDER`."""
    results = new_results()
    results["process_gates"] = process_gate_figures(folder)
    finish(results, out)


def main(out):
    results = new_results()
    results.update({"compiler": [], "gates": {}})
    fixtures = os.path.join(ROOT, "Fixtures")
    for name in sorted(os.listdir(fixtures)):
        yaml = os.path.join(fixtures, name, "bulkhead.yaml")
        if name != "errors" and os.path.exists(yaml):
            results["compiler"].append(compiler_figures(name, yaml))
    real = os.path.join(ROOT, "Scripts", "bench", "real.py")
    if os.path.exists(real):
        sys.path.insert(0, os.path.dirname(real))
        import real as realmod  # noqa
        results["compiler"] += [compiler_figures(n, y) for n, y in realmod.annotation_files()]
        results["applications"] = realmod.application_figures(REPS)
    results["gates"] = gate_figures()
    results["process_gates"] = process_gate_figures()
    results["mpk"] = mpk_figures()
    finish(results, out)


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def print_table(r):
    print(f"machine: {r['machine']['cpu']}, {r['machine']['cores']} cores; medians of {r['reps']} runs\n")
    if r.get("compiler"):
        print_compiler_table(r)
    if r.get("gates"):
        print_gate_table(r["gates"])
    print_round_trip_table(r.get("process_gates"))
    print_mpk_table(r.get("mpk"))
    print_application_table(r.get("applications"))


def print_compiler_table(r):
    print("| program | TUs | bulkhead build | clang -fsyntax-only | build / clang | check | check / build | peak memory / clang | Coccinelle | build / Coccinelle |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in r["compiler"]:
        cocci = f"{c['coccinelle_s']:.2f} s | {c['build_vs_coccinelle']:.3f}x" if c.get("coccinelle_s") else "n/a | n/a"
        print(f"| {c['program']} | {c['units']} | {c['build_s']*1000:.0f} ms | {c['clang_syntax_only_s']*1000:.0f} ms | "
              f"{c['build_vs_clang']:.2f}x | {c['check_s']*1000:.0f} ms | {c['check_vs_build']:.2f}x | {c['memory_vs_clang']:.2f}x | {cocci} |")


def print_gate_table(g):
    print("\n| gate | ns per call | ratio |")
    print("|---|---:|---:|")
    print(f"| direct call | {g['direct_call_ns']:.2f} | 1.00x |")
    print(f"| fcall gate | {g['fcall_gate_ns']:.2f} | {g['fcall_vs_direct']:.2f}x |")


def print_round_trip_table(p):
    if p:
        spin, futex = p["raw.spin_pingpong"], p["raw.futex_pingpong"]
        print("\n| round trip | ns | ratio |")
        print("|---|---:|---|")
        rows = [("direct call", p["raw.direct_call"], ""), ("getppid syscall", p["raw.getppid"], ""),
                ("pause instruction (sets a pause-polling ping-pong's pace)", p["raw.pause"], "")]
        if p.get("raw.pkru_switch"):
            rows.append(("direct call between two WRPKRU writes (an MPK gate's floor)", p["raw.pkru_switch"], ""))
        rows += [("raw shared-memory spin ping-pong", spin, "1.00x spin"),
                ("raw spin ping-pong, 10 ns of work per side", p["raw.spin_pingpong_work"], f"{p['raw.spin_pingpong_work'] / spin:.2f}x spin"),
                ("raw spin ping-pong, lfence polling", p["raw.spin_pingpong_tight"], f"{p['raw.spin_pingpong_tight'] / spin:.2f}x spin"),
                ("raw spin ping-pong, lfence polling, 10 ns of work per side", p["raw.spin_pingpong_tight_work"],
                 f"{p['raw.spin_pingpong_tight_work'] / spin:.2f}x spin"),
                ("raw futex ping-pong", futex, "1.00x futex"),
                ("pipe ping-pong", p["raw.pipe_pingpong"], f"{p['raw.pipe_pingpong'] / futex:.2f}x futex"),
                ("process gate `void f(void)`", p["process.gate_void"],
                 f"{p['process.gate_void'] / spin:.2f}x spin, {p['process.gate_void'] / p['raw.spin_pingpong_tight_work']:.2f}x lfence polling with work"),
                ("process gate `int f(int)`", p["process.gate_int"], f"{p['process.gate_int'] / spin:.2f}x spin"),
                ("process gate, three `long` arguments and a `long` result", p["process.gate_args3"],
                 f"{p['process.gate_args3'] / spin:.2f}x spin"),
                ("process gate, 64-byte struct", p["process.gate_struct64"], f"{p['process.gate_struct64'] / spin:.2f}x spin"),
                ("process gate, 4 KiB inout buffer", p["process.gate_buffer4k"],
                 f"{p['process.gate_buffer4k'] / (p['process.gate_void'] + p['process.two_4k_copies']):.2f}x (empty gate + two 4 KiB copies)")]
        if "cold.gate_void_cold" in p:
            rows.append(("process gate `void f(void)`, the 2000 calls after the first after start", p["cold.gate_void_cold"],
                         f"{p['cold.gate_void_cold'] / p['process.gate_void']:.2f}x the same gate later"))
        if "process.gate_void_sleeping" in p:
            after = p.get("after.futex_pingpong", futex)
            rows.append(("raw futex ping-pong, right after the sleeping gate", after, "1.00x futex after"))
            rows.append(("process gate, sleeping path", p["process.gate_void_sleeping"],
                         f"{p['process.sleeping_vs_futex_paired']:.2f}x futex after (median of paired ratios)"))
        if "process.sleeping_pinned_vs_futex_paired" in p:
            rows.append(("raw futex ping-pong, both on one CPU", p["pinned_raw.futex_pingpong"], "1.00x futex on one CPU"))
            rows.append(("process gate, sleeping path, on one CPU", p["pinned.gate_void"],
                         f"{p['process.sleeping_pinned_vs_futex_paired']:.2f}x futex on one CPU (median of paired ratios)"))
        for name, ns, ratio in rows:
            print(f"| {name} | {ns:.1f} | {ratio} |")


def print_application_table(apps):
    if apps:
        print("\n| application workload | backend | unpartitioned | partitioned | ratio |")
        print("|---|---|---:|---:|---:|")
        for a in apps:
            print(f"| {a['name']} | {a['backend']} | {a['original_s']:.2f} s | {a['partitioned_s']:.2f} s | {a['ratio']:.3f}x |")


if __name__ == "__main__":
    # bench.py OUT.json: everything; bench.py --pack FOLDER: build the round-trip table's programs only;
    # bench.py OUT.json --prebuilt FOLDER: run the round-trip table from them (on another machine, say)
    if sys.argv[1] == "--pack":
        os.makedirs(sys.argv[2], exist_ok=True)
        print("\n".join(build_gate_programs(sys.argv[2]).values()))
    elif len(sys.argv) > 3 and sys.argv[2] == "--prebuilt":
        main_prebuilt(sys.argv[1], sys.argv[3])
    else:
        main(sys.argv[1])
