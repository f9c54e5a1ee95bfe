"""The real code bases of Fixtures/real for the benchmarks: their annotation files (in a prepared copy of
each code base) and their workloads, unpartitioned vs partitioned."""
import json, os, shutil, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REAL = os.path.join(ROOT, "Fixtures", "real")
_prepared = {}


def prepare(name):
    """A copy of the code base with our annotation file and driver in it (cached per run)."""
    if name in _prepared:
        return _prepared[name]
    src = subprocess.run([os.path.join(ROOT, "Scripts", "fetch-real.sh"), name], capture_output=True, text=True,
                         check=True).stdout.strip()
    dest = os.path.join(tempfile.mkdtemp(prefix=f"bh-real-{name}-"), "program")
    shutil.copytree(src, dest, symlinks=True)
    for item in os.listdir(os.path.join(REAL, name)):
        if item not in ("source", "prepare.sh", "workload.sh"):
            p = os.path.join(REAL, name, item)
            (shutil.copytree if os.path.isdir(p) else shutil.copy)(p, os.path.join(dest, item))
    _prepared[name] = dest
    return dest


def annotation_files():
    return [(n, os.path.join(prepare(n), "bulkhead.yaml")) for n in sorted(os.listdir(REAL))]


def build(name, yaml, bulkhead, out, reference=False, backend="fcall"):
    """The partitioned program (or, with reference=True, the original built from the same flags)."""
    subprocess.run([bulkhead, "build", yaml, "-o", out, "--backend", backend], check=True, capture_output=True)
    subprocess.run(["make", "-s", "-j2", "-C", out], check=True, capture_output=True)
    prog = open(os.path.join(out, "Makefile")).read().split("all: ", 1)[1].split()[0]
    if not reference:
        return os.path.join(out, prog)
    objs = []
    base = os.path.dirname(yaml)
    for i, e in enumerate(json.load(open(os.path.join(out, "compile_commands.json")))):
        d = os.path.join(base, os.path.relpath(e["directory"], "src"))
        obj = os.path.join(out, f"ref{i}.o")
        subprocess.run(e["arguments"][:-4] + ["-c", e["file"], "-o", obj], cwd=d, check=True)
        objs.append(obj)
    link = [l for l in open(os.path.join(out, "Makefile")) if l.startswith("\t$(CC) -o $@ $(OBJS)")][0].split()[4:]
    ref = os.path.join(out, prog + ".original")
    subprocess.run(["cc", "-o", ref] + objs + link, check=True)
    return ref


def application_figures(reps):
    bulkhead = os.environ["BULKHEAD"]
    rows = []
    for name, yaml in annotation_files():
        work = tempfile.mkdtemp(prefix=f"bh-app-{name}-")
        try:
            orig = build(name, yaml, bulkhead, os.path.join(work, "ref"), reference=True)
            workload = os.path.join(REAL, name, "workload.sh")
            def t(p):
                s = time.perf_counter()
                subprocess.run([workload, p, os.path.dirname(yaml)], check=True, capture_output=True)
                return time.perf_counter() - s
            for backend in ("fcall", "process"):
                part = build(name, yaml, bulkhead, os.path.join(work, backend), backend=backend)
                a, b = [], []
                for _ in range(reps):  # interleaved
                    a.append(t(orig))
                    b.append(t(part))
                o, p = statistics.median(a), statistics.median(b)
                rows.append({"name": name, "backend": backend, "original_s": o, "partitioned_s": p, "ratio": p / o})
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return rows
