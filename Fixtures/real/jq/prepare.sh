#!/usr/bin/env bash
# Run by Scripts/fetch-real.sh in the unpacked Debian source (a git export: no configure script). Does what
# jq's configure and Makefile would: src/version.h, src/builtin.inc, and a compile_commands.json for the
# units of Makefile.am (libjq, with its generated lexer and parser, and main.c) whose -D flags are the
# functions configure.ac checks for and this machine links (configure's AC_CHECK_MATH_FUNC/AC_FIND_FUNC
# test), without oniguruma (regular expressions), as `./configure --without-oniguruma` builds it.
set -euo pipefail
echo '#define JQ_VERSION "1.6"' > src/version.h
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' src/builtin.jq > src/builtin.inc
funcs=$(sed -n -e 's/^AC_CHECK_MATH_FUNC(\([a-z0-9_]*\)).*/\1/p' -e 's/^ *AC_FIND_FUNC(\[\([a-z0-9_]*\)\].*/\1/p' \
              -e 's/^AC_CHECK_FUNCS(\([a-z0-9_]*\)).*/\1/p' configure.ac | sort -u)
probe=$(mktemp -d); trap 'rm -rf "$probe"' EXIT
defs=(-DIEEE_8087=1 -DHAVE_ALLOCA=1 -DHAVE_ALLOCA_H=1 -DHAVE___THREAD=1 -DHAVE_TM_TM_GMT_OFF=1)
for f in $funcs; do
  printf 'char %s(void);\nint main(void) { return (int)(long)&%s; }\n' "$f" "$f" > "$probe/p.c"
  if cc -o "$probe/p" "$probe/p.c" -lm -lpthread 2>/dev/null; then
    defs+=("-DHAVE_$(echo "$f" | tr a-z A-Z)=1")
  fi
done
units=$(sed -n '/^LIBJQ_SRC = /,/^ *\${LIBJQ_INCS}/p' Makefile.am | grep -o 'src/[a-z0-9_]*\.c')
python3 - "${defs[*]}" $units src/lexer.c src/parser.c src/main.c <<'PY'
import json, sys
flags = [*sys.argv[1].split(), "-I.", "-Isrc"]
json.dump([{"directory": ".", "file": f, "arguments": ["cc", *flags, "-c", f]} for f in sys.argv[2:]],
          open("compile_commands.json", "w"), indent=1)
PY
