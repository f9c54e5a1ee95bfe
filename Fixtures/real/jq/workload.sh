#!/usr/bin/env bash
# jq's own test suite: `jq --run-tests` over tests/jq.test (its language, builtins and modules; the
# regular-expression tests of tests/onig.test need oniguruma, which this build leaves out), then a few
# filters over the suite's own JSON files from the command line.
set -uo pipefail
prog=$1; root=$2
cd "$root/tests"
"$prog" -L modules --run-tests jq.test; echo "exit $?"
"$prog" --version
"$prog" -c '[paths] | length' ../jq.spec 2>&1 | head -1
"$prog" -n '[range(10)] | map(. * .) | add'
"$prog" --arg x 1 --argjson y '{"a":[1,2]}' -n '{x: $x, y: $y} | tojson'
printf '{"b":2,"a":[1,{"c":null}]}\n[3,2,1]\n"str"\n' | "$prog" -S -c '., (.. | numbers)'
printf '{"b":2,"a":1}' | "$prog" --tab .
"$prog" -n -r '"\(1+2) é \u00e9" | @base64, @uri, @html, @sh'
