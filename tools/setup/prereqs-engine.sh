#!/usr/bin/env bash
# The Pulumi engine for the `local` stack and test/engine (docs/engine.md). Idempotent.
#  - a `pulumi` on PATH of at least the pinned version, with its own Node.js language host, is used
#    as it is (linked into .engine/bin);
#  - otherwise the CLI is built with this machine's Go from the Go module proxy, pinned by
#    tools/setup/engine/go.{mod,sum} and version-stamped, into .engine/bin (ignored; Go's module and
#    build caches in .cache/go, so a second run takes seconds);
#  - beside it: the Node.js language host (tools/engine/language-host.ts, used when no Go host can
#    be had) and the dynamic-provider host shim, both resolving the project's @pulumi/pulumi;
#  - .engine/env.sh: the environment to use it by hand (private PULUMI_HOME, no update check,
#    no automatic plugin download).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
engine_dir="${LABFLEET_ENGINE_DIR:-$root/.engine}"
cache_dir="${LABFLEET_CACHE_DIR:-$root/.cache}"
bin="$engine_dir/bin"
log() { echo "prereqs-engine: $*" >&2; }

version="$(awk '$1 == "require" && $2 == "github.com/pulumi/pulumi/pkg/v3" { print $3 }' "$here/engine/go.mod")"
[ -n "$version" ] || { log "no pinned pkg/v3 version in $here/engine/go.mod"; exit 1; }
mkdir -p "$bin"
# One set-up at a time (two test runs, or `npm run lab` beside `npm test`): the second waits.
exec 9>"$engine_dir/.lock"
flock -w 1800 9 || { log "another engine set-up held $engine_dir/.lock for 30 min"; exit 1; }

# "v3.248.0" -> 3248000 style integer for comparisons (major*1e6 + minor*1e3 + patch)
vnum() { echo "$1" | sed -E 's/^v//; s/[-+].*//' | awk -F. '{ printf "%d\n", $1 * 1000000 + $2 * 1000 + $3 }'; }

stamp="$bin/.version"
if [ -x "$bin/pulumi" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "$version" ]; then
  log "engine $version ready in $bin"
else
  ambient="$(PATH="${PATH//$bin:/}" command -v pulumi || true)"
  if [ -n "$ambient" ] && [ "$(vnum "$("$ambient" version 2>/dev/null || echo v0.0.0)")" -ge "$(vnum "$version")" ] \
    && [ -x "$(dirname "$ambient")/pulumi-language-nodejs" ]; then
    log "using $ambient ($("$ambient" version)) and its language hosts"
    ln -sf "$ambient" "$bin/pulumi"
    ln -sf "$(dirname "$ambient")/pulumi-language-nodejs" "$bin/pulumi-language-nodejs"
  else
    command -v go >/dev/null || { log "no pulumi >= $version on PATH and no Go to build one"; exit 1; }
    log "building pulumi $version from the Go module proxy (cold: ~10 min on 2 cores; cached after)"
    started=$(date +%s)
    export GOMODCACHE="$cache_dir/go/mod" GOCACHE="$cache_dir/go/build" GOFLAGS="-mod=readonly -buildvcs=false"
    (cd "$here/engine" && go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$bin/pulumi.new" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    mv "$bin/pulumi.new" "$bin/pulumi"
    echo "$(( $(date +%s) - started ))" >"$engine_dir/build-seconds"
    log "built in $(cat "$engine_dir/build-seconds") s"
  fi
  got="$("$bin/pulumi" version)"
  [ "$(vnum "$got")" -ge "$(vnum "$version")" ] || { log "pulumi version says $got, want $version"; exit 1; }
  echo "$version" >"$stamp"
fi

# The Node.js language host: a real Go one (ambient install) wins; else the project's own.
if [ ! -e "$bin/pulumi-language-nodejs" ] || [ ! -L "$bin/pulumi-language-nodejs" ]; then
  cat >"$bin/pulumi-language-nodejs" <<EOF
#!/bin/sh
# labfleet's Node.js language host (tools/engine/language-host.ts); written by prereqs-engine.sh
exec node --import "file://$root/node_modules/tsx/dist/loader.mjs" "$root/tools/engine/language-host.ts" "\$@"
EOF
  chmod 0755 "$bin/pulumi-language-nodejs"
fi

# The dynamic-provider host, resolving @pulumi/pulumi from its cwd upward (the engine starts it in
# the directory of the program's main, which need not hold node_modules itself).
cat >"$bin/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
# Pulumi's dynamic-provider host from the program's own @pulumi/pulumi; written by prereqs-engine.sh
entry=$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] })') || exit 1
exec node "$entry" "$@"
EOF
chmod 0755 "$bin/pulumi-resource-pulumi-nodejs"

cat >"$engine_dir/env.sh" <<EOF
# Source this to use labfleet's engine by hand: . .engine/env.sh
export PATH="$bin:\$PATH"
export PULUMI_HOME="$engine_dir/home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
EOF
mkdir -p "$engine_dir/home"
chmod 0700 "$engine_dir" "$engine_dir/home"
