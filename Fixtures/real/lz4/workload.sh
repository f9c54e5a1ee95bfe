#!/usr/bin/env bash
# The driver round-trips lz4's own sources and a few generated files (fixed seeds) through every API.
set -euo pipefail
prog=$1; root=$2; work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import random, sys
d = sys.argv[1]
r = random.Random(7)
open(f"{d}/random.bin", "wb").write(bytes(r.randrange(256) for _ in range(200000)))
open(f"{d}/text.txt", "w").write(" ".join(r.choice(["lorem", "ipsum", "dolor", "sit", "amet"]) for _ in range(60000)))
open(f"{d}/zeros.bin", "wb").write(bytes(300000))
open(f"{d}/empty", "wb").write(b"")
PY
"$prog" "$root"/lz4libs/*.c "$root"/lz4libs/*.h "$work"/random.bin "$work"/text.txt "$work"/zeros.bin "$work"/empty
