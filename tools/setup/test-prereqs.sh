#!/usr/bin/env bash
# Installs and starts what the integration tests need (Debian packages, daemons), then returns.
# Every area keeps its own tools/setup/prereqs-<area>.sh; each is idempotent.
# As root (CI) a failure here fails the run; as a normal user it reports what is missing.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
status=0
for script in "$here"/prereqs-*.sh; do
  [ -e "$script" ] || continue
  if ! bash "$script"; then
    echo "prereqs: $(basename "$script") failed" >&2
    status=1
  fi
done
if [ "$status" -ne 0 ] && [ "${CI:-}" = "true" ]; then
  exit 1
fi
exit 0
