#!/usr/bin/env bash
# Home Assistant core for the hut tests, in its own venv under .cache/peers/homeassistant (ignored,
# kept between runs). Installed by uv (pinned, from PyPI) from the fully pinned
# tools/setup/homeassistant/requirements.lock: wheels only, ~30 s cold, seconds when the lock has
# not changed (the venv carries the lock's hash). test/integration/hut/helpers/home-assistant.ts
# starts it with --skip-pip, so it never installs anything at run time. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools/setup/lib.sh
. "$here/lib.sh"
PEERS=$(cd "$here/../.." && pwd)/.cache/peers # the test helper reads it here
HA_VERSION=2024.3.3 # keep in step with homeassistant/requirements.lock
UV_VERSION=0.13.9   # `pip index versions uv`
LOCK="$here/homeassistant/requirements.lock"
# Bounded network waits: pip and uv give up on a silent connection after 60 s; the whole install
# after 15 min.
export UV_HTTP_TIMEOUT=60 UV_CACHE_DIR="$PEERS/uv-cache" UV_NO_PROGRESS=1

log() { echo "prereqs-homeassistant: $*" >&2; }

python_venv

uv="$PEERS/uv/bin/uv"
if ! [ -x "$uv" ] || [ "$("$uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  rm -rf "$PEERS/uv"
  mkdir -p "$PEERS"
  python3 -m venv "$PEERS/uv"
  timeout 600 "$PEERS/uv/bin/pip" install --quiet --disable-pip-version-check --timeout 60 --retries 3 "uv==$UV_VERSION"
fi

venv="$PEERS/homeassistant"
stamp="$(sha256sum "$LOCK" | cut -d' ' -f1) uv $UV_VERSION"
if ! [ -f "$venv/.labfleet-stamp" ] || [ "$(cat "$venv/.labfleet-stamp")" != "$stamp" ]; then
  t0=$SECONDS
  rm -rf "$venv"
  "$uv" venv --quiet --python "$(command -v python3)" "$venv"
  VIRTUAL_ENV="$venv" timeout 900 "$uv" pip sync --quiet "$LOCK"
  echo "$stamp" >"$venv/.labfleet-stamp"
  log "homeassistant $HA_VERSION installed in $venv ($((SECONDS - t0)) s)"
fi
version=$("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('homeassistant'))")
[ "$version" = "$HA_VERSION" ] || { log "$venv/bin/hass is $version, expected $HA_VERSION"; exit 1; }
log "ready (homeassistant $HA_VERSION in $venv)"
