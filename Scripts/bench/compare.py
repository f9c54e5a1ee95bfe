"""Two builds of the gate runtime, before and after a change, measured in one run, interleaved: the process
gates (the empty gate, the 4 KiB inout buffer, ...), the start and exit of the two-compartment gate program,
and real workloads under process. The same partitioned trees are linked against each runtime (BH_RUNTIME), so
only the runtime differs.

    python3 Scripts/bench/compare.py BEFORE_DIR AFTER_DIR [--reps N] [--real NAME,...] [--gates-only]
                                     [--before-bulkhead PATH] [OUT.json]

BEFORE_DIR and AFTER_DIR hold a libBulkheadRuntime.a each (`swift build -c release --product
BulkheadRuntime` in a checkout of each version: `.build/release`). --reps: repetitions (default 7, medians);
--real: the code bases of Fixtures/real whose workloads to run (default cmark-gfm); --gates-only: no real
workload. The bulkhead executable is $BULKHEAD (default `bulkhead` on PATH); --before-bulkhead: the older
version's own executable builds the "before" trees, for versions whose generated code and runtime changed
together (their stubs call the runtime of their own version)."""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import real  # noqa: E402

ROOT = real.ROOT
BULKHEAD = {"before": os.environ.get("BULKHEAD", "bulkhead"), "after": os.environ.get("BULKHEAD", "bulkhead")}
GATE_ROWS = [("gate_void", "process gate `void f(void)`"), ("gate_int", "process gate `int f(int)`"),
             ("gate_buffer4k", "process gate, 4 KiB inout buffer"),
             ("gate_void_cold", "process gate `void f(void)`, the 2000 calls after the first after start")]


def make(tree, runtime):
    env = dict(os.environ, BH_RUNTIME=runtime)
    subprocess.run(["make", "-s", "-B", "-j2", "-C", tree], check=True, capture_output=True, env=env)


def gate_programs(work, runtimes):
    yaml = os.path.join(ROOT, "Scripts", "bench", "gates", "bulkhead.yaml")
    progs = {}
    for side, runtime in runtimes.items():
        tree = os.path.join(work, "gates-" + side)
        subprocess.run([BULKHEAD[side], "build", yaml, "-o", tree, "--backend", "process"], check=True, capture_output=True)
        make(tree, runtime)
        progs[side] = os.path.join(tree, "gatebench")
    return progs


def real_programs(work, name, runtimes):
    yaml = os.path.join(real.prepare(name), "bulkhead.yaml")
    progs = {}
    for side, runtime in runtimes.items():
        tree = os.path.join(work, name + "-" + side)
        subprocess.run([BULKHEAD[side], "build", yaml, "-o", tree, "--backend", "process"], check=True, capture_output=True)
        make(tree, runtime)
        prog = open(os.path.join(tree, "Makefile")).read().split("all: ", 1)[1].split()[0]
        progs[side] = os.path.join(tree, prog)
    return progs, os.path.dirname(yaml)


def seconds(argv, cwd=None):
    t = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - t


def main(args):
    reps, names, out, gates_only = 7, ["cmark-gfm"], "bench-compare.json", False
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--reps":
            reps, i = int(args[i + 1]), i + 2
        elif args[i] == "--real":
            names, i = args[i + 1].split(","), i + 2
        elif args[i] == "--before-bulkhead":
            BULKHEAD["before"], i = os.path.abspath(args[i + 1]), i + 2
        elif args[i] == "--gates-only":
            gates_only, i = True, i + 1
        else:
            rest.append(args[i])
            i += 1
    if len(rest) < 2:
        sys.exit(__doc__)
    runtimes = {"before": os.path.abspath(rest[0]), "after": os.path.abspath(rest[1])}
    out = rest[2] if len(rest) > 2 else out
    work = tempfile.mkdtemp(prefix="bh-compare-")
    try:
        gates = gate_programs(work, runtimes)
        apps = {} if gates_only else {n: real_programs(work, n, runtimes) for n in names}
        samples = {}
        def add(key, v):
            samples.setdefault(key, []).append(v)
        for rep in range(reps):
            for side in ("before", "after") if rep % 2 == 0 else ("after", "before"):   # interleaved, in turn first
                for line in subprocess.run([gates[side]], capture_output=True, text=True, check=True).stdout.split("\n"):
                    if line.strip():
                        k, v = line.split()
                        add((k, side), float(v))
                for line in subprocess.run([gates[side], "cold"], capture_output=True, text=True, check=True).stdout.split("\n"):
                    if line.strip():
                        k, v = line.split()
                        add((k, side), float(v))
                add(("start_exit_ms", side), 1000 * seconds([gates[side], "1"]))
                for n, (progs, folder) in apps.items():
                    add((n, side), seconds([os.path.join(real.REAL, n, "workload.sh"), progs[side], folder]))
        med = {k: statistics.median(v) for k, v in samples.items()}
        rows = [(label, med[(k, "before")], med[(k, "after")], "ns") for k, label in GATE_ROWS if (k, "before") in med]
        rows.append(("start, one gate call and exit of the two-compartment gate program", med[("start_exit_ms", "before")],
                     med[("start_exit_ms", "after")], "ms"))
        rows += [(f"{n} workload, process", med[(n, "before")], med[(n, "after")], "s") for n in apps]
        print(f"medians of {reps} interleaved runs\n")
        print("| what | before | after | after / before |")
        print("|---|---:|---:|---:|")
        for label, b, a, unit in rows:
            fmt = "{:.1f}" if unit == "ns" else "{:.2f}" if unit == "ms" else "{:.3f}"
            print(f"| {label} | {fmt.format(b)} {unit} | {fmt.format(a)} {unit} | {a / b:.3f}x |")
        json.dump({"reps": reps, "rows": [{"what": l, "before": b, "after": a, "unit": u} for l, b, a, u in rows]},
                  open(out, "w"), indent=2)
        print(f"\nwritten: {out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
