#!/usr/bin/env bash
# Fetches a real C code base named by Fixtures/real/NAME/source into a cache outside the repository and
# prints the folder it unpacked to. Idempotent: a second call only prints. Nothing fetched is committed.
# Fixtures/real/NAME/prepare.sh, if there, runs once in the unpacked folder (a configure step).
#   source file, one line:  pip SPEC FOLDER     (a PyPI sdist: pip download --no-binary :all: --no-deps SPEC)
#                           apt PACKAGE FOLDER  (a Debian source package: apt-get source PACKAGE, unpacked with
#                                                its Debian patches; the newest version the mirror has)
set -euo pipefail
name=$1
here=$(cd "$(dirname "$0")/.." && pwd)
read -r kind spec folder < "$here/Fixtures/real/$name/source"
# apt-get source needs deb-src lines; Debian's images have only `Types: deb`. Adds, as root and once, a
# sources file with `Types: deb-src` for the same mirrors and suites, then refreshes the index.
apt_deb_src() {
  local list=/etc/apt/sources.list.d/bulkhead-deb-src.sources
  if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    [ "$(id -u)" -eq 0 ] || { echo "fetch-real: no deb-src in apt's sources; run once as root" >&2; exit 1; }
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$list.tmp"
    mv "$list.tmp" "$list"
    apt-get update -qq >&2
  elif [ -z "$(apt-cache showsrc "$1" 2>/dev/null)" ]; then
    apt-get update -qq >&2
  fi
}
# Downloads source package $1 into $2: the newest version, or when the mirror no longer has it (a security
# update newer than the snapshot), the other versions apt-cache showsrc lists, newest first.
apt_source() {
  apt_deb_src "$1"
  (cd "$2" && apt-get source -qq --download-only "$1" >&2 2>/dev/null) && return
  local v
  for v in $(apt-cache showsrc "$1" | sed -n 's/^Version: //p' | sort -rV); do
    rm -f "$2"/*
    (cd "$2" && apt-get source -qq --download-only "$1=$v" >&2 2>/dev/null) && return
  done
  echo "fetch-real: no version of source package '$1' could be downloaded" >&2; exit 1
}
cache=${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}/real/$name
if [ ! -f "$cache/.done" ]; then
  rm -rf "$cache"; mkdir -p "$cache/dl"
  case $kind in
    pip) python3 -m pip download -q --no-binary :all: --no-deps -d "$cache/dl" "$spec" >&2
         tar -xzf "$cache"/dl/*.tar.gz -C "$cache" ;;
    apt) apt_source "$spec" "$cache/dl"
         dpkg-source -q -x "$cache"/dl/*.dsc "$cache/$folder" 2>&1 | grep -v 'signature\|^gpgv' >&2 || true ;;
    *) echo "fetch-real: unknown source kind '$kind'" >&2; exit 1 ;;
  esac
  [ -d "$cache/$folder" ] || { echo "fetch-real: '$folder' not found after unpacking $spec" >&2; exit 1; }
  # what the code base's own configure step would generate (config headers, a compile_commands.json)
  if [ -x "$here/Fixtures/real/$name/prepare.sh" ]; then
    (cd "$cache/$folder" && "$here/Fixtures/real/$name/prepare.sh" >&2)
  fi
  touch "$cache/.done"
fi
echo "$cache/$folder"
