#!/usr/bin/env bash
# brotli's own test corpus through the CLI: compress at two qualities, decompress the reference streams,
# round-trip every file. Prints one line per step; run with PROGRAM and the code base's folder.
set -euo pipefail
prog=$1; root=$2; work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$root/tests/testdata"
for f in $(ls | grep -v compressed | sort); do
  for q in 1 9; do
    "$prog" -c -q $q "$f" > "$work/out.br"
    echo "$f q$q $(wc -c < "$work/out.br") $(sha256sum < "$work/out.br" | cut -c1-16)"
    "$prog" -d -c "$work/out.br" | cmp -s - "$f" && echo "$f q$q round-trip ok"
  done
done
for f in $(ls | grep compressed | sort); do
  echo "$f -> $("$prog" -d -c "$f" | sha256sum | cut -c1-16)"
done
