#!/usr/bin/env bash
# Scores `bulkhead suggest` against the annotations written by hand: every Fixtures/*/bulkhead.yaml (but
# Fixtures/suggest, the suggester's own test input) and
# Fixtures/real/*/bulkhead.yaml (the real code bases fetched by Scripts/fetch-real.sh into the cache, our
# annotation file and driver copied next to them). One row per file, then the totals:
#   precision = suggestions for an entry written by hand / suggestions
#   recall    = entries written by hand that got a suggestion / entries written by hand
# and the same with "exactly" (the same dir, string, size or count). `args` and `ret` entries count;
# error_return and variadic_via are not drafted. -v lists every miss, difference and extra suggestion;
# BULKHEAD_MIN_CONFIDENCE=medium scores only the suggestions of medium and high confidence.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bulkhead=${BULKHEAD:-$here/.build/debug/bulkhead}
verbose=${1:-}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
[ -x "$bulkhead" ] || (cd "$here" && swift build -q)

floor=${BULKHEAD_MIN_CONFIDENCE:-low}
score() {  # NAME YAML
  local out
  out=$("$bulkhead" suggest "$2" --score --min-confidence "$floor") || { echo "suggest-score: $1 failed" >&2; exit 1; }
  [ "$verbose" = -v ] && grep -v '^score:' <<<"$out" | sed "s|^|  $1: |" >&2 || true
  grep '^score:' <<<"$out" | awk -v n="$1" '{ print n, $3, $5, $7, $9 }'
}

{
  for yaml in "$here"/Fixtures/*/bulkhead.yaml; do
    # Fixtures/suggest is the suggester's own test input: its entries are left out on purpose
    [ "$(basename "$(dirname "$yaml")")" = suggest ] && continue
    score "$(basename "$(dirname "$yaml")")" "$yaml"
  done
  for dir in "$here"/Fixtures/real/*/; do
    name=$(basename "$dir")
    src=$("$here/Scripts/fetch-real.sh" "$name")
    cp -a "$src" "$work/$name"
    for item in "$dir"*; do
      case $(basename "$item") in source|workload.sh) ;; *) cp -a "$item" "$work/$name/" ;; esac
    done
    score "real/$name" "$work/$name/bulkhead.yaml"
  done
} | awk '
  BEGIN { printf "suggestions of confidence '"$floor"' and above\n"; printf "%-16s %9s %9s %10s %7s\n", "annotation file", "suggested", "by hand", "same entry", "exactly" }
  { printf "%-16s %9d %9d %10d %7d\n", $1, $2, $3, $4, $5; s += $2; h += $3; m += $4; e += $5 }
  END {
    printf "%-16s %9d %9d %10d %7d\n", "total", s, h, m, e
    printf "precision %.0f%% (exactly %.0f%%), recall %.0f%% (exactly %.0f%%)\n", 100*m/s, 100*e/s, 100*m/h, 100*e/h
  }'
