#!/usr/bin/env bash
# pngtest (read, write back, compare) on its own image and on PngSuite (contrib/pngsuite), then on
# corrupted copies of pngtest.png made here (truncated, bytes flipped in the header, in a chunk's CRC, in
# the compressed data), which take libpng's png_error path: a longjmp to pngtest's setjmp. One line per
# run: the exit status, pngtest's output, and a hash of what it wrote.
set -uo pipefail
prog=$1; root=$2; work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
run() {
  local f=$1
  rm -f "$work/out.png"
  msg=$(cd "$(dirname "$f")" && "$prog" "$(basename "$f")" "$work/out.png" 2>&1); status=$?
  echo "== $(basename "$f") exit $status"
  echo "$msg" | sed "s|$work|OUT|g"
  [ -f "$work/out.png" ] && echo "wrote $(sha256sum < "$work/out.png" | cut -c1-16)"
}
for f in "$root/pngtest.png" "$root"/contrib/pngsuite/*.png; do run "$f"; done
src="$root/pngtest.png"; size=$(wc -c < "$src")
mkdir -p "$work/bad"
for n in 8 33 100 1000 $((size / 2)) $((size - 12)); do head -c "$n" "$src" > "$work/bad/trunc-$n.png"; done
flip() {   # a copy with the byte at offset $1 xor-ed with 0xff
  python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=0xff; open(sys.argv[3],"wb").write(b)' "$src" "$1" "$work/bad/flip-$1.png"
}
for off in 0 12 16 20 25 29 40 $((size / 3)) $((size / 2)) $((size - 8)); do flip "$off"; done
for f in "$work"/bad/*.png; do run "$f"; done
