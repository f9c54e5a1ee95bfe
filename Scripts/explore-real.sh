#!/usr/bin/env bash
# The evidence run of `bulkhead explore` on a real code base (cmark-gfm): fetches it (Scripts/fetch-real.sh),
# lays out a work folder with our annotation file, workload and Fixtures/explore/cmark-gfm/explore.yaml, then
# explores the space twice from a cold cache, once exhaustively and once with pruning, and compares the
# starred sets. Prints the space's size, the counts, the wall times and the starred configurations; writes
# each run's report under WORK/exhaustive-out and WORK/pruned-out (explore.json, explore.dot, explore.svg).
# Also replays pruning over the exhaustive run's figures (what pruning decides when the figures are the same).
#   Scripts/explore-real.sh [WORK]     (default: $BULKHEAD_CACHE/explore/cmark-gfm)
# BULKHEAD_REUSE_BUILDS=1: the pruned run starts from the exhaustive run's builds (hard links) without its
# results, so it measures independently but builds nothing (on a loaded machine the builds are most of the time).
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
  if [ "$mode" = pruned ] && [ "${BULKHEAD_REUSE_BUILDS:-0}" = 1 ]; then
    cp -al "$work/cache-exhaustive" "$work/cache-pruned" && find "$work/cache-pruned" -name result.json -delete
  fi
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
# replay: pruning over the exhaustive figures
E = r["exhaustive"]["entries"]; index = {e["hash"]: i for i, e in enumerate(E)}
up = {}
def above(i):
    if i not in up:
        up[i] = set()
        for h in E[i]["above"]:
            up[i] |= {index[h]} | above(index[h])
    return up[i]
below = {i: {j for j in range(len(E)) if i in above(j)} for i in range(len(E))}
state = {}
missed = lambda j: state.get(j) == "pruned" or (state.get(j) == "measured" and not E[j]["withinBudget"])
while True:
    for i in range(len(E)):
        if i not in state and any(missed(j) for j in below[i]): state[i] = "pruned"
    wave = [i for i in range(len(E)) if i not in state and all(j in state for j in below[i])]
    if not wave: break
    for i in wave: state[i] = "measured"
within = [i for i in state if state[i] == "measured" and E[i]["withinBudget"]]
starred = sorted(E[i]["label"] for i in within if not above(i) & set(within))
print(f"replay over the exhaustive figures: {sum(v == 'measured' for v in state.values())} measured, "
      f"same starred set: {starred == s['exhaustive']}")
PY
