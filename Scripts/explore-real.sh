#!/usr/bin/env bash
# The evidence run of `bulkhead explore` on a real code base (cmark-gfm): fetches it (Scripts/fetch-real.sh),
# lays out a work folder with our annotation file, workload and Fixtures/explore/cmark-gfm/explore.yaml, then
# explores the space twice from a cold cache, once exhaustively and once with pruning, and compares the
# starred sets. Prints the space's size, the counts, the wall times and the starred configurations; writes
# each run's report under WORK/exhaustive-out and WORK/pruned-out (explore.json, explore.dot, explore.svg).
#   Scripts/explore-real.sh [WORK]     (default: $BULKHEAD_CACHE/explore/cmark-gfm)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
name=cmark-gfm
work=${1:-${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}/explore/$name}
jobs=${BULKHEAD_JOBS:-2}
source=$("$here/Scripts/fetch-real.sh" "$name")
(cd "$here" && swift build -c release --product bulkhead >&2 && swift build -c release --product BulkheadRuntime >&2)
bulkhead="$here/.build/release/bulkhead"
rm -rf "$work"; mkdir -p "$work"
cp -a "$source" "$work/program"
for f in bulkhead.yaml corpus.md workload.sh; do cp -a "$here/Fixtures/real/$name/$f" "$work/program/$f"; done
cp "$here/Fixtures/explore/$name/explore.yaml" "$work/program/explore.yaml"
cd "$work/program"
for mode in exhaustive pruned; do
  flag=""; [ "$mode" = exhaustive ] && flag=--exhaustive
  start=$(date +%s.%N)
  "$bulkhead" explore explore.yaml -j"$jobs" $flag --cache "$work/cache-$mode" -o "$work/$mode-out" > "$work/$mode.txt"
  end=$(date +%s.%N)
  echo "$mode: $(python3 -c "print(f'{$end - $start:.0f}')") s" | tee "$work/$mode.time"
  tail -n 3 "$work/$mode.txt"
done
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
r = {m: json.load(open(f"{w}/{m}-out/explore.json")) for m in ("exhaustive", "pruned")}
for m, rep in r.items():
    c = rep["counts"]
    print(f"{m}: {c['configurations']} configurations, {c['measured']} measured, {c['pruned']} pruned, {c['failed']} failed, "
          f"{c['withinBudget']} within budget, {c['starred']} starred; wall {rep['wallSeconds']:.0f} s")
    for e in rep["entries"]:
        if e["starred"]:
            print(f"  * {e['label']}  {e['ratio']:.2f}x")
s = {m: sorted(e["label"] for e in rep["entries"] if e["starred"]) for m, rep in r.items()}
print("same starred set:", s["exhaustive"] == s["pruned"])
print(f"measured with pruning: {r['pruned']['counts']['measured']}/{r['pruned']['counts']['configurations']} = "
      f"{100 * r['pruned']['counts']['measured'] / r['pruned']['counts']['configurations']:.0f}%")
for v in r["pruned"]["violations"] + r["exhaustive"]["violations"]:
    print("violation:", v)
PY
