#!/usr/bin/env bash
# Runs the whole test suite: unit tests, golden trees, fixtures built and run for real with cc and make,
# bad input. BULKHEAD_REBASE=1 Scripts/test.sh rewrites the golden trees under Fixtures/*/expected/
# (and still fails, so that a rebase is never silent).
set -uo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh || exit 1
mkdir -p .build
swift build --build-tests || exit 1
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log
status=${PIPESTATUS[0]}
summary=$(grep -E '^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?' .build/test.log | tail -n 1)
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
if [ -z "$summary" ]; then echo "tests: 0 passed, 1 failed (no test summary; see above)"; exit 1; fi
echo "tests: $((total - failed)) passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
