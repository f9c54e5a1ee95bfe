#!/usr/bin/env bash
# Installs the Debian packages Bulkhead needs, when missing. Idempotent; safe to run any time.
set -euo pipefail
packages=(libclang-dev clang-14 libseccomp-dev csmith libcsmith-dev make gcc python3 graphviz dpkg-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "bootstrap: the Swift toolchain (6.x) must be on PATH" >&2; exit 1; }
[ -f /usr/lib/llvm-14/include/clang-c/Index.h ] || { echo "bootstrap: libclang-dev (LLVM 14) headers are missing" >&2; exit 1; }
