#!/usr/bin/env bash
# LXD for labfleet's integration tests and the `local` stack. Idempotent; run as root.
#  - installs lxd + lxd-client (+ busybox-static, openssl, and iptables + dnsmasq-base, which apt
#    does not pull in with --no-install-recommends) when missing
#  - starts the daemon (systemd when it runs, else `lxd` directly) and waits for it
#  - `lxd init --preseed`: a `dir` storage pool and a bridge with a fixed private subnet
#    (NAT off, no IPv6) wired into the default profile
#  - listens on 127.0.0.1 for the HTTPS client-certificate tests
#  - imports a small locally built image (busybox-static rootfs + metadata.yaml) as `labfleet-runner`
set -euo pipefail

POOL=${LABFLEET_LXD_POOL:-labfleet}
BRIDGE=${LABFLEET_LXD_BRIDGE:-lfbr0}
BRIDGE_ADDRESS=${LABFLEET_LXD_BRIDGE_ADDRESS:-10.232.0.1/24}
HTTPS_ADDRESS=${LABFLEET_LXD_HTTPS_ADDRESS:-127.0.0.1:18443}
IMAGE_ALIAS=${LABFLEET_LXD_IMAGE:-labfleet-runner}
# Bump when the image recipe below changes: a different version is re-imported.
IMAGE_VERSION=3
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

# --- daemon -------------------------------------------------------------------------------
if ! lxd waitready --timeout 2 >/dev/null 2>&1; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    log "starting lxd through systemd"
    systemctl start lxd.socket lxd.service
  else
    # No systemd (CI containers): run the daemon directly, detached, logging to $LOG_DIR.
    group=lxd
    getent group lxd >/dev/null || group=root
    mkdir -p "$LOG_DIR"
    log "starting lxd directly (no systemd), log: $LOG_DIR/lxd.log"
    setsid lxd --group "$group" --logfile "$LOG_DIR/lxd.log" </dev/null >>"$LOG_DIR/daemon.out" 2>&1 &
  fi
  if ! lxd waitready --timeout 60; then
    log "lxd did not become ready; last log lines:"
    tail -n 30 "$LOG_DIR/lxd.log" "$LOG_DIR/daemon.out" 2>/dev/null >&2 || true
    exit 1
  fi
fi

# --- storage pool, bridge, default profile ----------------------------------------------------
if ! lxc storage show "$POOL" >/dev/null 2>&1 || ! lxc network show "$BRIDGE" >/dev/null 2>&1 \
  || ! lxc profile device show default 2>/dev/null | grep -q "network: $BRIDGE"; then
  log "lxd init --preseed (pool $POOL, bridge $BRIDGE $BRIDGE_ADDRESS)"
  lxd init --preseed <<EOF
networks:
- name: $BRIDGE
  type: bridge
  config:
    ipv4.address: $BRIDGE_ADDRESS
    ipv4.nat: "false"
    ipv6.address: none
storage_pools:
- name: $POOL
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: $POOL
      type: disk
    eth0:
      name: eth0
      network: $BRIDGE
      type: nic
EOF
fi

if [ "$(lxc config get core.https_address)" != "$HTTPS_ADDRESS" ]; then
  log "core.https_address=$HTTPS_ADDRESS"
  lxc config set core.https_address "$HTTPS_ADDRESS"
fi

# --- test image --------------------------------------------------------------------------------
if lxc image show "$IMAGE_ALIAS" 2>/dev/null | grep -q "labfleet_version: \"$IMAGE_VERSION\""; then
  log "ready (image $IMAGE_ALIAS v$IMAGE_VERSION present)"
  exit 0
fi
if lxc image show "$IMAGE_ALIAS" >/dev/null 2>&1; then
  log "replacing outdated image $IMAGE_ALIAS"
  lxc image delete "$IMAGE_ALIAS"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
R=$work/rootfs
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/share/udhcpc,etc,dev,proc,sys,tmp,run,root,var/run}
BUSYBOX=$(command -v busybox || echo /bin/busybox)
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list-full); do
  [ -e "$R/$applet" ] || [ -L "$R/$applet" ] || ln -s /bin/busybox "$R/$applet"
done
rm -f "$R/sbin/init"

# PID 1: bring up the network with DHCP and stop cleanly on SIGPWR (LXD's halt signal).
cat >"$R/sbin/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
ip link set lo up
if ip link show eth0 >/dev/null 2>&1; then
  ip link set eth0 up
  udhcpc -b -i eth0 -s /usr/share/udhcpc/default.script >/dev/null 2>&1
fi
trap 'exit 0' 30 15 2
while :; do sleep 60 & wait $!; done
EOF

cat >"$R/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
case "$1" in
  deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    : >/etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >>/etc/resolv.conf; done ;;
esac
exit 0
EOF

# Stand-in for `cloud-init status --wait` (real cloud-init needs a distro rootfs and network
# access this image does not have). The outcome is chosen per instance with the config key
# environment.LABFLEET_CLOUD_INIT = done (default) | degraded | error | hang.
cat >"$R/usr/bin/cloud-init" <<'EOF'
#!/bin/sh
[ "$1" = status ] || { echo "labfleet cloud-init stand-in: only 'status' is implemented" >&2; exit 1; }
case "${LABFLEET_CLOUD_INIT:-done}" in
  done) echo "status: done"; exit 0 ;;
  degraded) echo "status: done"; echo "recoverable error (stand-in)" >&2; exit 2 ;;
  error) echo "status: error"; echo "runcmd failed (stand-in)" >&2; exit 1 ;;
  hang) while :; do sleep 1; done ;;
  *) echo "unknown LABFLEET_CLOUD_INIT" >&2; exit 1 ;;
esac
EOF
chmod 0755 "$R/sbin/init" "$R/usr/share/udhcpc/default.script" "$R/usr/bin/cloud-init"
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
echo labfleet >"$R/etc/hostname"

cat >"$work/metadata.yaml" <<EOF
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  description: labfleet test image (busybox, cloud-init stand-in) v$IMAGE_VERSION
  os: busybox
  release: static
  labfleet_version: "$IMAGE_VERSION"
EOF
tar --numeric-owner --owner=0 --group=0 -C "$work" -czf "$work/image.tar.gz" metadata.yaml rootfs
lxc image import "$work/image.tar.gz" --alias "$IMAGE_ALIAS" >&2
log "ready (imported image $IMAGE_ALIAS v$IMAGE_VERSION)"
