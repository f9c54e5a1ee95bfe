#!/usr/bin/env bash
# Runs the whole test suite: unit tests, golden trees, fixtures and real code bases built and run for real
# with cc and make, bad input, then csmith differential testing (BULKHEAD_FUZZ programs per backend, 30 by
# default; BULKHEAD_FUZZ_MPK for mpk, 12 by default, run in a QEMU guest with protection keys).
# BULKHEAD_REBASE=1 Scripts/test.sh rewrites the golden trees under Fixtures/*/expected/ (and still fails, so
# that a rebase is never silent).
set -uo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh || exit 1
mkdir -p .build
swift build --build-tests || exit 1
swift build --product BulkheadRuntime || exit 1   # linked by process-backend programs
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log
status=${PIPESTATUS[0]}
summary=$(grep -E '^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?' .build/test.log | tail -n 1)
if [ -z "$summary" ]; then echo "0 passed, 1 failed (no test summary; see above)"; exit 1; fi
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
passed=$((total - failed))
echo "swift tests: $passed passed, $failed failed"

# mpk: built here, run in one boot of a PKU guest (about 7 s a program on two cores): fewer by default
for backend in fcall process mpk; do
  count=${BULKHEAD_FUZZ:-30}; [ "$backend" = mpk ] && count=${BULKHEAD_FUZZ_MPK:-${BULKHEAD_FUZZ:-12}}
  Scripts/fuzz.sh "$count" --backend "$backend" 2>&1 | tee .build/fuzz-$backend.log
  line=$(tail -n 1 .build/fuzz-$backend.log)
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
