#!/usr/bin/env bash
# Fetches a real C code base named by Fixtures/real/NAME/source into a cache outside the repository and
# prints the folder it unpacked to. Idempotent: a second call only prints. Nothing fetched is committed.
#   source file, one line:  pip SPEC FOLDER     (a PyPI sdist: pip download --no-binary :all: --no-deps SPEC)
#                           apt PACKAGE FOLDER  (a Debian source package: apt-get source PACKAGE)
set -euo pipefail
name=$1
here=$(cd "$(dirname "$0")/.." && pwd)
read -r kind spec folder < "$here/Fixtures/real/$name/source"
cache=${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}/real/$name
if [ ! -f "$cache/.done" ]; then
  rm -rf "$cache"; mkdir -p "$cache/dl"
  case $kind in
    pip) python3 -m pip download -q --no-binary :all: --no-deps -d "$cache/dl" "$spec" >&2
         tar -xzf "$cache"/dl/*.tar.gz -C "$cache" ;;
    apt) (cd "$cache/dl" && apt-get source -qq --download-only "$spec" >&2)
         dpkg-source -x "$cache"/dl/*.dsc "$cache/$folder" >&2 ;;
    *) echo "fetch-real: unknown source kind '$kind'" >&2; exit 1 ;;
  esac
  [ -d "$cache/$folder" ] || { echo "fetch-real: '$folder' not found after unpacking $spec" >&2; exit 1; }
  touch "$cache/.done"
fi
echo "$cache/$folder"
