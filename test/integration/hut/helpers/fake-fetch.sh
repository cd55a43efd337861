#!/bin/sh
# Stand-in for `hut fetch --sha <commit> --chip <chip> --out <file> [--json]` (the artifact store's
# fetch; docs/design/hardware-lane.md) over a local directory store, until the artifact store's
# fetch is on this branch. Layout: $FAKE_STORE/<sha>/<chip>.bin and $FAKE_STORE/<sha>/<chip>.sha256
# (the manifest's sha256 of the build). Exit 1 naming the SHA when there is no build, or on a
# sha256 mismatch (nothing left at --out). Usage: HUT_FETCH=".../fake-fetch.sh" hut lane run …
set -eu
sha="" chip="" out="" json=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sha) sha=$2; shift 2 ;;
    --chip) chip=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --json) json=1; shift ;;
    *) echo "fake-fetch: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$sha" ] || [ -z "$chip" ] || [ -z "$out" ]; then echo "fake-fetch: --sha, --chip and --out are required" >&2; exit 2; fi
build="$FAKE_STORE/$sha/$chip.bin"
if [ ! -f "$build" ]; then echo "fetch: no $chip build for commit $sha in the artifact store" >&2; exit 1; fi
want=$(cat "$FAKE_STORE/$sha/$chip.sha256")
got=$(sha256sum "$build" | cut -d' ' -f1)
if [ "$want" != "$got" ]; then echo "fetch: sha256 of the $chip build for $sha is $got, the manifest says $want" >&2; exit 1; fi
cp "$build" "$out"
if [ "$json" = 1 ]; then printf '{"sha":"%s","chip":"%s","out":"%s","sha256":"%s","status":"ok"}\n' "$sha" "$chip" "$out" "$got"; fi
