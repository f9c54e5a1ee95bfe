#!/usr/bin/env bash
# expat's own test program, verbose: one line per test and the summary.
set -euo pipefail
prog=$1; root=$2
cd "$root/expat/tests"
"$prog" -v
