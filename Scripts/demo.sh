#!/usr/bin/env bash
# The main job on the bundled example (Fixtures/calc, an expression calculator in three compartments):
# partition it, build the emitted tree with make, run the original and the partitioned program, show that
# their outputs match, and print the gate graph; then the same with one process per compartment, and a
# fault contained by the process backend (Fixtures/process/isolation).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
swift build --product bulkhead >/dev/null
swift build --product BulkheadRuntime >/dev/null   # the gate runtime, for the process backend
bulkhead=$(swift build --show-bin-path)/bulkhead
example=Fixtures/calc
work=$(mktemp -d /tmp/bulkhead-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== 1. partition: bulkhead build $example/bulkhead.yaml -o $work/tree"
"$bulkhead" build "$example/bulkhead.yaml" -o "$work/tree"
echo "   gates: $(grep -c '"stub"' "$work/tree/bulkhead.manifest.json"), rewritten sources:"
diff -rq "$example" "$work/tree/src" 2>/dev/null | sed -n "s|^Files .* and $work/tree/\(.*\) differ$|     \1|p" || true

echo "== 2. build the partitioned tree: make -C $work/tree"
make -s -C "$work/tree"

echo "== 3. build the original program from the same sources and flags"
python3 - "$example" "$work/tree/compile_commands.json" "$work/original" <<'PY'
import json, os, subprocess, sys
example, db, out = sys.argv[1:]
os.makedirs(out, exist_ok=True)
objs = []
for i, e in enumerate(json.load(open(db))):
    d = os.path.join(example, os.path.relpath(e["directory"], "src"))
    args = e["arguments"][:-4]          # drop "-c FILE -o OBJ"
    obj = os.path.join(out, f"{i}.o")
    subprocess.run(args + ["-c", e["file"], "-o", os.path.abspath(obj)], cwd=d, check=True)
    objs.append(obj)
ldflags = [l for l in open(os.path.join(os.path.dirname(db), "Makefile")) if l.startswith("\t$(CC) -o $@ $(OBJS)")][0].split()[4:]
subprocess.run(["cc", "-o", os.path.join(out, "calc")] + objs + ldflags, check=True)
PY

echo "== 4. run both and compare"
"$work/original/calc" >"$work/original.out"
"$work/tree/calc" >"$work/partitioned.out"
if cmp -s "$work/original.out" "$work/partitioned.out"; then
  echo "   identical output ($(wc -l <"$work/original.out") lines, $(wc -c <"$work/original.out") bytes):"
  head -n 6 "$work/partitioned.out" | sed 's/^/     /'
  echo "     ..."
else
  echo "   OUTPUTS DIFFER:"; diff "$work/original.out" "$work/partitioned.out" | head -20; exit 1
fi

echo "== 5. the gate graph (bulkhead graph $example/bulkhead.yaml)"
"$bulkhead" graph "$example/bulkhead.yaml"

echo "== 6. the same program with one process per compartment: bulkhead build --backend process"
"$bulkhead" build "$example/bulkhead.yaml" -o "$work/process" --backend process
make -s -C "$work/process"
"$work/process/calc" >"$work/process.out"
if cmp -s "$work/original.out" "$work/process.out"; then
  echo "   identical output again, now with each compartment in a process of its own"
else
  echo "   OUTPUTS DIFFER:"; diff "$work/original.out" "$work/process.out" | head -20; exit 1
fi

echo "== 7. a contained fault: compartment 'thief' reads a secret of compartment 'vault' by its address"
"$bulkhead" build Fixtures/process/isolation/bulkhead.yaml -o "$work/isolation"
make -s -C "$work/isolation"
set +e
"$work/isolation/isolation"
status=$?
set -e
echo "   exit status $status: the read faulted inside 'thief', was reported, and the secret was never printed"
[ "$status" -ne 0 ]
