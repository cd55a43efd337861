#!/usr/bin/env bash
# Prerequisites of the fleet tests and bench (idempotent), beyond prereqs-wireguard.sh (wireguard-go,
# wg, ip netns, sshd, ssh-keygen): unshare/mount/hostname (util-linux, hostname) for each agent's own
# mount and UTS namespace, sha256sum/base64/find (coreutils, findutils) run on the agents, and
# python3 for the agent-side HTTP health endpoint (`python3 -m http.server`).
source "$(dirname "$0")/lib.sh"

need=()
{ command -v unshare && command -v mount; } >/dev/null 2>&1 || need+=(util-linux mount)
command -v hostname >/dev/null 2>&1 || need+=(hostname)
{ command -v sha256sum && command -v base64; } >/dev/null 2>&1 || need+=(coreutils)
command -v find >/dev/null 2>&1 || need+=(findutils)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ "${#need[@]}" -eq 0 ] || apt_install "${need[@]}"
echo "prereqs-fleet: ok"
