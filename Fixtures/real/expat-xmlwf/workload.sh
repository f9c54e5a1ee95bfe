#!/usr/bin/env bash
# xmlwf over a corpus: our small documents (entities and an external DTD, namespaces, Latin-1, four that
# are not well-formed) and expat's own: its reference manual, xmlwf's man page source and nes96.xml from
# testdata/largefiles (2.8 MB). The small ones in canonical, namespace, meta and copy output, with
# external entities and the DTD, mapped and read; the large one in two of those. One line per output: exit
# status and a hash (the whole text for the small ones).
set -uo pipefail
prog=$1; root=$2; work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$prog" -v | sed 's/^[^ ]* using/xmlwf using/'
run() {
  local f=$1; shift
  for opts in "$@"; do
    rm -rf "$work/out"; mkdir "$work/out"
    msg=$(cd "$(dirname "$f")" && "$prog" $opts -d "$work/out" "$(basename "$f")" 2>&1); status=$?
    out="$work/out/$(basename "$f")"
    echo "== $(basename "$f") [$opts] exit $status: $msg"
    if [ -f "$out" ] && [ "$(wc -c < "$out")" -lt 2000 ]; then cat "$out"; echo
    elif [ -f "$out" ]; then echo "$(wc -c < "$out") bytes $(sha256sum < "$out" | cut -c1-16)"; fi
  done
}
for f in "$root"/corpus/*.xml "$root/expat/doc/reference.html" "$root/expat/doc/xmlwf.xml"; do
  run "$f" "" "-n" "-m" "-c" "-p -N" "-r -n -m" "-x -p"
done
# (read, not mapped: under process a mapped file is copied to the parser whole, on a shared stack of 256 KiB)
run "$root/testdata/largefiles/nes96.xml" "-r -n" "-r -c"
