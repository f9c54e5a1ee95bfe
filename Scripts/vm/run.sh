#!/usr/bin/env bash
# Runs a bundle of programs inside a QEMU full-system guest whose CPU has protection keys (PKU), for the
# machines that have none (../shared/notes/mpk-under-qemu.md has the facts behind every choice here).
#
#   Scripts/vm/run.sh [--cpu MODEL] BUNDLE
#
# BUNDLE is a folder copied whole into the guest as /t; the guest runs `sh /t/run.sh` there and the
# output of that script (stdout and stderr, carriage returns removed) is this command's stdout. The exit
# status is that script's. Programs in the bundle must be statically linked (the guest has only busybox).
# --cpu defaults to `max` (PKU on); `max,-pku` gives a guest without protection keys.
# The kernel (Debian's, which has CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS) and busybox are fetched once
# from Debian's archive into ${BULKHEAD_CACHE:-~/.cache/bulkhead}/vm; qemu-system-x86 and cpio are
# installed when missing. One boot costs about 8-10 s on two cores: put many programs in one bundle.
set -euo pipefail
cpu=max
if [ "${1:-}" = "--cpu" ]; then cpu=$2; shift 2; fi
[ $# -eq 1 ] && [ -f "$1/run.sh" ] || { echo "usage: Scripts/vm/run.sh [--cpu MODEL] BUNDLE (a folder with run.sh)" >&2; exit 2; }
bundle=$(cd "$1" && pwd)

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cache=${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}/vm
if [ ! -f "$cache/.done" ]; then
  rm -rf "$cache"; mkdir -p "$cache/dl"; chmod 777 "$cache/dl"
  kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$kernel_pkg" ] || { apt-get update -qq; kernel_pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'); }
  [ -n "$kernel_pkg" ] || { echo "vm: cannot find Debian's kernel package (apt-cache depends linux-image-amd64)" >&2; exit 2; }
  (cd "$cache/dl" && apt-get download -qq "$kernel_pkg" busybox-static 2>/dev/null)
  dpkg-deb --fsys-tarfile "$cache"/dl/linux-image-*.deb | tar -x -C "$cache/dl" --wildcards './boot/vmlinuz-*'
  dpkg-deb --fsys-tarfile "$cache"/dl/busybox-static_*.deb | tar -x -C "$cache/dl" ./bin/busybox
  mv "$cache"/dl/boot/vmlinuz-* "$cache/vmlinuz"
  mv "$cache/dl/bin/busybox" "$cache/busybox"
  rm -rf "$cache/dl"
  touch "$cache/.done"
fi

work=$(mktemp -d)
trap '[ -n "${BULKHEAD_VM_KEEP:-}" ] || rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp}
cp "$cache/busybox" "$root/bin/busybox"
for tool in sh mount poweroff cat echo ls grep sed head tail; do ln -s busybox "$root/bin/$tool"; done
cp -r "$bundle" "$root/t"
cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
cd /t
echo "@@BEGIN@@"
sh /t/run.sh 2>&1
echo "@@END=$?@@"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initrd.gz")

timeout "${BULKHEAD_VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -cpu "$cpu" -m 1G -smp 1 -nographic \
  -no-reboot -nic none -kernel "$cache/vmlinuz" -initrd "$work/initrd.gz" \
  -append 'console=ttyS0 panic=-1 quiet loglevel=1' </dev/null > "$work/console.log" 2>&1 || true
tr -d '\r' < "$work/console.log" > "$work/clean.log"
if ! grep -q '^@@END=[0-9]*@@' "$work/clean.log"; then
  echo "vm: the guest did not finish its run (console below)" >&2
  tail -n 40 "$work/clean.log" >&2
  exit 125
fi
sed -n '/@@BEGIN@@$/,/^@@END=[0-9]*@@/p' "$work/clean.log" | sed '1d;$d'
status=$(sed -n 's/^@@END=\([0-9]*\)@@.*/\1/p' "$work/clean.log" | tail -n 1)
exit "$status"
