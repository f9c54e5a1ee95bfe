#!/usr/bin/env bash
# Run by Scripts/fetch-real.sh in the unpacked Debian source: pcre2's own configure (the 8-bit library,
# Unicode, no JIT: its defaults) for src/config.h and src/pcre2.h, the default character tables, and a
# compile_commands.json with the units and flags of Makefile.am's libpcre2-8, libpcre2-posix and pcre2test.
set -euo pipefail
./configure -q --disable-shared >/dev/null
cp src/pcre2_chartables.c.dist src/pcre2_chartables.c
lib=$(sed -n '/^COMMON_SOURCES = /,/^$/p' Makefile.am | grep -o 'src/[a-z0-9_]*\.c')
python3 - $lib <<'PY'
import json, sys
def entry(f, *flags):
    return {"directory": ".", "file": f, "arguments": ["cc", "-DHAVE_CONFIG_H", "-Isrc", *flags, "-c", f]}
units = [entry(f, "-DPCRE2_CODE_UNIT_WIDTH=8") for f in sys.argv[1:] + ["src/pcre2_chartables.c"]]
units += [entry("src/pcre2posix.c", "-DPCRE2_CODE_UNIT_WIDTH=8"), entry("src/pcre2test.c")]
json.dump(units, open("compile_commands.json", "w"), indent=1)
PY
