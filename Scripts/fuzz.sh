#!/usr/bin/env bash
# Differential testing with csmith: Scripts/fuzz.sh N [--backend fcall] [--start SEED].
# Ends with a line `N passed, M failed`; each failing seed's program is kept under fuzz-failures/.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
swift build --product bulkhead >/dev/null
swift build --product BulkheadRuntime >/dev/null
exec python3 Scripts/fuzz/fuzz.py "$@" --bulkhead "$(swift build --show-bin-path)/bulkhead"
