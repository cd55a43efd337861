#!/usr/bin/env bash
# The artifact-store tests' servers (docs/design/artifacts.md), pinned and cached in .cache/:
#  - moto's S3 server (PyPI `moto[server]`) in a venv at .cache/artifacts/moto-venv;
#  - fake-gcs-server built with this machine's Go from the Go module proxy into .cache/artifacts/bin
#    (module and build caches in .cache/go).
# Idempotent: a second run checks the pinned versions and returns in well under a second. Each
# step's wall time is written to .cache/artifacts/setup-seconds-<server> when it runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache_dir="${LABFLEET_CACHE_DIR:-$root/.cache}"
dir="$cache_dir/artifacts"
MOTO_VERSION="5.2.5"
FAKE_GCS_VERSION="v1.56.1"
# shellcheck source=tools/setup/lib.sh
. "$here/lib.sh"
log() { echo "prereqs-artifacts: $*" >&2; }
mkdir -p "$dir/bin"
# One set-up at a time (parallel test runs share the cache).
exec 9>"$dir/.lock"
flock -w 1200 9 || { log "another set-up held $dir/.lock for 20 min"; exit 1; }

venv="$dir/moto-venv"
if [ "$(cat "$venv/.version" 2>/dev/null)" != "$MOTO_VERSION" ] || [ ! -x "$venv/bin/moto_server" ]; then
  python_venv
  started=$(date +%s)
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --timeout 60 "moto[server]==$MOTO_VERSION"
  echo "$MOTO_VERSION" >"$venv/.version"
  echo "$(( $(date +%s) - started ))" >"$dir/setup-seconds-moto"
  log "moto $MOTO_VERSION installed in $(cat "$dir/setup-seconds-moto") s"
fi

gcs="$dir/bin/fake-gcs-server"
if [ "$(cat "$gcs.version" 2>/dev/null)" != "$FAKE_GCS_VERSION" ] || [ ! -x "$gcs" ]; then
  command -v go >/dev/null || { log "Go is needed to build fake-gcs-server"; exit 1; }
  started=$(date +%s)
  GOMODCACHE="$cache_dir/go/mod" GOCACHE="$cache_dir/go/build" GOFLAGS="-modcacherw -buildvcs=false" GOBIN="$dir/bin" \
    go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION"
  echo "$FAKE_GCS_VERSION" >"$gcs.version"
  echo "$(( $(date +%s) - started ))" >"$dir/setup-seconds-fake-gcs"
  log "fake-gcs-server $FAKE_GCS_VERSION built in $(cat "$dir/setup-seconds-fake-gcs") s"
fi
