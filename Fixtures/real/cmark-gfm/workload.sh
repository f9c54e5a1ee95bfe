#!/usr/bin/env bash
# cmark-gfm's CLI renders our corpus and the package's README in every output format, with every extension.
set -euo pipefail
prog=$1; root=$2
here=$(cd "$(dirname "$0")" && pwd)
ext=(-e table -e strikethrough -e autolink -e tagfilter -e tasklist)
"$prog" --version
"$prog" --list-extensions
for f in "$here/corpus.md" "$root/README.rst"; do
  for to in html xml man commonmark plaintext latex; do
    echo "== $(basename "$f") --to $to"
    "$prog" "${ext[@]}" --smart --unsafe --to "$to" --width 60 "$f"
  done
  echo "== $(basename "$f") safe sourcepos"
  "$prog" "${ext[@]}" --sourcepos --github-pre-lang "$f"
done
