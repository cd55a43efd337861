#!/usr/bin/env bash
# hut CLI and its tests: flock/setpriv (util-linux) for slot locks, stty (coreutils) for the
# serial monitor, socat for the pty pairs the serial tests use as fake boards.
source "$(dirname "$0")/lib.sh"
need=()
for cmd in flock setpriv stty socat; do
  command -v "$cmd" >/dev/null 2>&1 || need+=("$cmd")
done
[ "${#need[@]}" -eq 0 ] && exit 0
apt_install util-linux coreutils socat
for cmd in "${need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "prereqs-hut: $cmd still missing" >&2; exit 1; }
done
