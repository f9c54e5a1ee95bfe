#!/usr/bin/env bash
# Benchmarks, one command: prints a table and writes bench-results.json (or $1).
# Every figure is also given as a ratio against a baseline measured in the same run (the machine is shared
# and noisy): medians of several repetitions.
#   compiler: `bulkhead build` vs `clang-14 -fsyntax-only` over the same TUs and flags (both cores each);
#             `bulkhead check` on an unchanged tree vs a full build; peak memory vs clang's on the largest TU
#   gates:    an fcall gate vs a direct call
#   Coccinelle doing the same call rewriting, when spatch is installed (apt-get install coccinelle)
#   real code: the code bases of Fixtures/real (fetched by Scripts/fetch-real.sh), their workloads per backend
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
swift build -c release --product bulkhead >/dev/null
swift build -c release --product BulkheadRuntime >/dev/null
export BULKHEAD="$(swift build -c release --show-bin-path)/bulkhead"
# the same runtime with its spin turned off, to measure the sleeping (futex) path of a gate
# (built afresh: an incremental build with -Xcc flags has kept the Swift part's inlined header code stale)
rm -rf .build-nospin
swift build -c release --product BulkheadRuntime --scratch-path .build-nospin -Xcc -DBH_SPIN_NS=0 >/dev/null
export BH_NOSPIN_RUNTIME="$(swift build -c release --scratch-path .build-nospin --show-bin-path)"
exec python3 Scripts/bench/bench.py "${@:-bench-results.json}"
