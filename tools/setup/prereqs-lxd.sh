#!/usr/bin/env bash
# LXD for labfleet's integration tests and the `local` stack. Idempotent; run as root.
#  - installs lxd + lxd-client (+ busybox-static, openssl, and iptables + dnsmasq-base, which apt
#    does not pull in with --no-install-recommends) when missing
#  - starts the daemon (systemd when it runs, else `lxd` directly) and waits for it
#  - `lxd init --preseed`: a `dir` storage pool and a bridge with a fixed private subnet
#    (NAT off, no IPv6) wired into the default profile
#  - listens on 127.0.0.1 for the HTTPS client-certificate tests
#  - imports a small locally built image (busybox-static rootfs + metadata.yaml) as `labfleet-runner`
# (the last three are shared with Incus: tools/setup/lxd-common.sh; Incus is prereqs-incus.sh)
set -euo pipefail

POOL=${LABFLEET_LXD_POOL:-labfleet}
BRIDGE=${LABFLEET_LXD_BRIDGE:-lfbr0}
BRIDGE_ADDRESS=${LABFLEET_LXD_BRIDGE_ADDRESS:-10.232.0.1/24}
HTTPS_ADDRESS=${LABFLEET_LXD_HTTPS_ADDRESS:-127.0.0.1:18443}
IMAGE_ALIAS=${LABFLEET_LXD_IMAGE:-labfleet-runner}
LOG_DIR=/var/log/lxd

log() { echo "prereqs-lxd: $*" >&2; }

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools/setup/lib.sh
. "$here/lib.sh"
# Run-time needs of lxd that apt leaves out with --no-install-recommends (dnsmasq-base is a Recommends
# of lxd; iptables is not even that: Debian's lxd does not declare it); without them `lxd init` fails:
#  - iptables: LXD's firewall driver (xtables here: no nft binary) sets up the bridge's ACL/NAT chains
#    ("Failed clearing firewall … exec: "iptables": executable file not found")
#  - dnsmasq-base: LXD runs dnsmasq as the managed bridge's DHCP/DNS server (the test image gets its
#    address with udhcpc) ("dnsmasq --version: executable file not found")
# (rsync, squashfs-tools, xz-utils, uidmap, attr, lxcfs, ca-certificates are hard Depends of lxd.)
apt_install lxd lxd-client busybox-static openssl iptables dnsmasq-base

if ! is_root; then
  if lxd waitready --timeout 2 >/dev/null 2>&1 && lxc image show "$IMAGE_ALIAS" >/dev/null 2>&1; then
    log "LXD is running and $IMAGE_ALIAS exists (not root: nothing else checked)"
    exit 0
  fi
  log "LXD is not set up and setting it up needs root: sudo $0"
  exit 1
fi

# shellcheck source=tools/setup/lxd-common.sh
. "$here/lxd-common.sh"

# --- daemon -------------------------------------------------------------------------------
group=lxd
getent group lxd >/dev/null || group=root
daemon_start lxd "$LOG_DIR" "lxd waitready" "lxd.socket lxd.service" lxd --group "$group"

# --- storage pool, bridge, default profile, HTTPS listener, test image (tools/setup/lxd-common.sh)
CLI=lxc INIT="lxd init"
daemon_configure
