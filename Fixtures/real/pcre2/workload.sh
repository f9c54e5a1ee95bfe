#!/usr/bin/env bash
# pcre2's own RunTest script, with PROGRAM as its ./pcre2test, over the package's testdata: every test
# this build's configuration runs (8-bit, Unicode, no JIT), each output compared with the expected one.
set -euo pipefail
prog=$1; root=$2; work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
ln -s "$prog" "$work/pcre2test"
cd "$work" && srcdir=$root "$root/RunTest"
