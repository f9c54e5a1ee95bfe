#!/usr/bin/env bash
# Run by Scripts/fetch-real.sh in the unpacked Debian source: libpng's prebuilt configuration
# (scripts/pnglibconf.h.prebuilt, what its own makefiles copy), without stdio: libpng then reads and
# writes through the application's callbacks, pngtest's own (its non-stdio build), since a FILE belongs to
# the process that opened it. zlib is the system's (-lz).
set -euo pipefail
sed -e '/#define PNG_STDIO_SUPPORTED/d' -e '/#define PNG_CONSOLE_IO_SUPPORTED/d' \
    -e '/#define PNG_SIMPLIFIED_WRITE_STDIO_SUPPORTED/d' scripts/pnglibconf.h.prebuilt > pnglibconf.h
