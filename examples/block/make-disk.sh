#!/usr/bin/env bash
# Makes the example's disk image: 32 MiB, GPT with two 8 MiB partitions (sfdisk), a text in the
# second one (dd). Usage: examples/block/make-disk.sh disk.img
set -euo pipefail
img=${1:?usage: make-disk.sh IMAGE}
rm -f "$img"
dd if=/dev/zero of="$img" bs=1M count=32 status=none
sfdisk --quiet "$img" <<'TABLE'
label: gpt
start=2048, size=16384, name=notes
start=18432, size=16384, name=viewer
TABLE
printf 'Hello from partition 1 of %s\n' "$(basename "$img")" |
  dd of="$img" bs=512 seek=18432 conv=notrunc status=none
