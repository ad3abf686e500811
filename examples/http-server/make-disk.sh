#!/usr/bin/env bash
# Makes the flagship's disk image with ordinary tools: an MBR (sfdisk) with a FAT16 partition
# holding the site (mkfs.fat, mcopy) and a raw partition for the journal's append-only log.
# A 4 MiB `large.bin` is generated into the site for benchmarks (not kept in the source tree).
# Usage: examples/http-server/make-disk.sh IMAGE [SITE_DIR]
set -euo pipefail
img=${1:?usage: make-disk.sh IMAGE [SITE_DIR]}
site=${2:-$(dirname "$0")/site}
site_mib=32
journal_mib=8

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$site"/. "$work/site"
# Deterministic content, so a test can regenerate and compare it.
{ yes 'corokit large file: 0123456789abcdefghijklmnopqrstuvwxyz' || true; } | head -c $((4 * 1024 * 1024)) > "$work/site/large.bin"

mkfs.fat -F 16 -n SITE -C "$work/fat.img" $((site_mib * 1024)) >/dev/null
MTOOLS_SKIP_CHECK=1 mcopy -s -i "$work/fat.img" "$work/site"/* ::/

rm -f "$img"
dd if=/dev/zero of="$img" bs=1M count=$((1 + site_mib + journal_mib)) status=none
sfdisk --quiet "$img" <<TABLE
label: dos
start=2048, size=$((site_mib * 2048)), type=6
start=$((2048 + site_mib * 2048)), size=$((journal_mib * 2048)), type=da
TABLE
dd if="$work/fat.img" of="$img" bs=512 seek=2048 conv=notrunc status=none
echo "$img: site on partition 1 (FAT16, ${site_mib} MiB), journal on partition 2 (${journal_mib} MiB)"
