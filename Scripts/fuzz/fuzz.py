"""Differential testing with csmith: N random programs, each split into >= 3 libraries in >= 3 compartments
(seeded, reproducible) and partitioned per backend; the partitioned program's checksum must equal the
unpartitioned one's. Programs whose original does not finish in time are replaced by the next seed.
Under `--backend mpk` (protection keys, which this machine may lack) the programs are built here and run in
one boot of a QEMU guest with PKU (Scripts/vm/run.sh), all of them in one bundle.
Prints one line per program and ends with `N passed, M failed`; failing programs are kept for replay."""
import argparse, json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CFLAGS = ["-w", "-O1", "-I/usr/include/csmith"]


def run(argv, cwd=None, timeout=60):
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def one(seed, backend, bulkhead, work, guest=None):
    """None when the seed is unusable (the original does not terminate), else (ok, reason). With `guest`
    (a list), the built program is not run: (seed, program, expected, summary) is appended for the guest."""
    d = os.path.join(work, f"seed-{seed}")
    os.makedirs(d)
    src = os.path.join(d, "original.c")
    r = run(["csmith", "--seed", str(seed), "--max-funcs", "8", "--max-block-depth", "4", "-o", src])
    if r.returncode != 0:
        return None
    exe = os.path.join(d, "original")
    if run(["cc"] + CFLAGS + [src, "-o", exe]).returncode != 0:
        return None
    try:
        expected = run([exe], timeout=5)
    except subprocess.TimeoutExpired:
        return None
    if expected.returncode != 0:
        return None
    prog = os.path.join(d, "program")
    os.makedirs(prog)
    run([sys.executable, os.path.join(HERE, "csmith_split.py"), src, prog, str(seed)])
    if backend != "fcall":
        y = os.path.join(prog, "bulkhead.yaml")
        open(y, "a").write(f"backend: {backend}\n")
    tree = os.path.join(d, "tree")
    b = run([bulkhead, "build", os.path.join(prog, "bulkhead.yaml"), "-o", tree])
    if b.returncode != 0:
        return False, "bulkhead build failed: " + b.stderr[:2000]
    m = run(["make", "-s", "-C", tree], timeout=300)
    if m.returncode != 0:
        return False, "make failed: " + m.stderr[:2000]
    plan = json.load(open(os.path.join(tree, "bulkhead.manifest.json")))
    summary = f"{expected.stdout.strip()}, {len(plan['gates'])} gates, {sum(len(g['uses']) for g in plan['gates'])} crossings"
    if guest is not None:
        guest.append((seed, os.path.join(tree, "fuzz"), expected, summary))
        return True, "built"
    try:
        got = run([os.path.join(tree, "fuzz")], timeout=60)
    except subprocess.TimeoutExpired:
        return False, "the partitioned program did not finish"
    if (got.returncode, got.stdout) != (expected.returncode, expected.stdout):
        return False, f"checksum differs: expected {expected.stdout.strip()} (status {expected.returncode}), got {got.stdout.strip()} (status {got.returncode})"
    plan = json.load(open(os.path.join(tree, "bulkhead.manifest.json")))
    gates = sum(len(g["uses"]) for g in plan["gates"])
    return True, f"{expected.stdout.strip()}, {len(plan['gates'])} gates, {gates} crossings, {len(plan['sharedGlobals'])} shared globals"


def run_in_guest(programs):
    """Runs every (seed, program, expected, summary) in one boot of a PKU guest; returns {seed: (ok, why)}."""
    bundle = tempfile.mkdtemp(prefix="bh-fuzz-vm-")
    script = "cp -r /t/sysroot/* /\n"
    try:
        for seed, program, _, _ in programs:
            shutil.copy(program, os.path.join(bundle, f"p{seed}"))
            for word in run(["ldd", program]).stdout.split():
                if word.startswith("/") and not os.path.exists(bundle + "/sysroot" + word):
                    os.makedirs(os.path.dirname(bundle + "/sysroot" + word), exist_ok=True)
                    shutil.copy(word, bundle + "/sysroot" + word)
            script += f'echo "@@SEED {seed}@@"; ./p{seed} > /tmp/out 2>&1; echo "@@STATUS $?@@"; cat /tmp/out; echo "@@DONE@@"\n'
        open(os.path.join(bundle, "run.sh"), "w").write(script)
        vm = run([os.path.join(HERE, "..", "vm", "run.sh"), bundle], timeout=900)
        results = {}
        for chunk in vm.stdout.split("@@SEED ")[1:]:
            seed, rest = chunk.split("@@\n", 1)
            status, rest = rest.split("@@STATUS ", 1)[1].split("@@\n", 1)
            results[int(seed)] = (int(status), rest.split("@@DONE@@")[0])
        out = {}
        for seed, _, expected, summary in programs:
            got = results.get(seed)
            if got is None:
                out[seed] = (False, "no output from the guest: " + vm.stderr[-2000:])
            elif got != (expected.returncode, expected.stdout):
                out[seed] = (False, f"checksum differs: expected {expected.stdout.strip()} (status {expected.returncode}), got {got[1].strip()} (status {got[0]})")
            else:
                out[seed] = (True, summary)
        return out
    finally:
        shutil.rmtree(bundle, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("count", type=int)
    ap.add_argument("--backend", default="fcall")
    ap.add_argument("--start", type=int, default=1, help="first seed")
    ap.add_argument("--keep", default=os.environ.get("BULKHEAD_FUZZ_KEEP", "fuzz-failures"))
    ap.add_argument("--bulkhead", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bh-fuzz-")
    passed = failed = 0
    seed = a.start
    guest = [] if a.backend == "mpk" else None
    try:
        while passed + failed < a.count:
            result = one(seed, a.backend, a.bulkhead, work, guest)
            if result == (True, "built"):
                passed += 1   # counted now, judged after the guest's run
                seed += 1
                continue
            if result is not None:
                ok, why = result
                if ok:
                    passed += 1
                    print(f"seed {seed} {a.backend}: ok ({why})", flush=True)
                else:
                    failed += 1
                    keep = os.path.join(a.keep, f"{a.backend}-seed-{seed}")
                    shutil.rmtree(keep, ignore_errors=True)
                    shutil.copytree(os.path.join(work, f"seed-{seed}"), keep, ignore=shutil.ignore_patterns("*.o"))
                    print(f"seed {seed} {a.backend}: FAILED: {why}\n  kept in {keep}; replay: "
                          f"Scripts/fuzz.sh 1 --start {seed} --backend {a.backend}", flush=True)
            shutil.rmtree(os.path.join(work, f"seed-{seed}"), ignore_errors=True)
            seed += 1
        if guest:
            passed -= len(guest)
            for seed, (ok, why) in sorted(run_in_guest(guest).items()):
                if ok:
                    passed += 1
                    print(f"seed {seed} mpk: ok in the PKU guest ({why})", flush=True)
                else:
                    failed += 1
                    print(f"seed {seed} mpk: FAILED in the PKU guest: {why}; replay: Scripts/fuzz.sh 1 --start {seed} --backend mpk", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
