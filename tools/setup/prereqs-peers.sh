#!/usr/bin/env bash
# Real peers for the hut tests, each in its own venv under .cache/peers/ (ignored, kept between
# runs; a venv is rebuilt only when its pinned version changes). Idempotent.
#  - esptool v4 and v5 from PyPI (.cache/peers/esptool-v4, esptool-v5): `hut flash` is run
#    through both up to the port (test/integration/hut/esptool-real.test.ts)
# python3 with venv + ensurepip: the machine's python3, else Debian's python3-venv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools/setup/lib.sh
. "$here/lib.sh"
PEERS=$(cd "$here/../.." && pwd)/.cache/peers # test/integration/hut/esptool-real.test.ts reads it here
# Pinned releases: the newest v4 and v5 on PyPI when this was written (`pip index versions esptool`).
ESPTOOL_V4=4.12.0
ESPTOOL_V5=5.6.0

log() { echo "prereqs-peers: $*" >&2; }

python_venv

# venv DIR PACKAGE==VERSION: a venv with exactly that package, reused while its stamp matches.
venv() {
  local dir=$1 spec=$2
  if [ -f "$dir/.labfleet-stamp" ] && [ "$(cat "$dir/.labfleet-stamp")" = "$spec" ]; then
    return 0
  fi
  local t0=$SECONDS
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$spec"
  echo "$spec" >"$dir/.labfleet-stamp"
  log "$spec installed in $dir ($((SECONDS - t0)) s)"
}

venv "$PEERS/esptool-v4" "esptool==$ESPTOOL_V4"
venv "$PEERS/esptool-v5" "esptool==$ESPTOOL_V5"
"$PEERS/esptool-v4/bin/esptool.py" version | grep -qx "$ESPTOOL_V4"
"$PEERS/esptool-v5/bin/esptool" version | grep -qx "$ESPTOOL_V5"
log "ready (esptool $ESPTOOL_V4, $ESPTOOL_V5 in $PEERS)"
