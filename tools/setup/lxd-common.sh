# The part of the LXD and Incus set-up both daemons share (sourced by prereqs-lxd.sh and
# prereqs-incus.sh, not executed): `daemon_start`, then `daemon_configure`, for which the caller sets:
#   CLI          the daemon's client: lxc | incus
#   INIT         the preseed command: "lxd init" | "incus admin init"
#   POOL BRIDGE BRIDGE_ADDRESS HTTPS_ADDRESS IMAGE_ALIAS
# and then calls `daemon_configure`: a `dir` storage pool and a bridge with a fixed private subnet
# (NAT off, no IPv6) wired into the default profile, the HTTPS listener for the client-certificate
# tests, and the small locally built test image (busybox-static rootfs + metadata.yaml). Both
# daemons take the same unified image tarball, so the image is built by one recipe.

# Bump when the image recipe below changes: a different version is re-imported.
IMAGE_VERSION=3

# daemon_start NAME LOG_DIR "WAITREADY" "UNITS" DAEMON_CMD…: unless WAITREADY answers, starts the
# daemon through systemd (UNITS), else (CI containers: no systemd) DAEMON_CMD detached, logging to
# LOG_DIR/NAME.log, and waits for it (60 s).
daemon_start() {
  local name=$1 logdir=$2 waitready=$3 units=$4
  shift 4
  $waitready --timeout 2 >/dev/null 2>&1 && return 0
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    log "starting $name through systemd"
    # shellcheck disable=SC2086 # a list of units
    systemctl start $units
  else
    mkdir -p "$logdir"
    log "starting $name directly (no systemd), log: $logdir/$name.log"
    setsid "$@" --logfile "$logdir/$name.log" </dev/null >>"$logdir/daemon.out" 2>&1 &
  fi
  if ! $waitready --timeout 60; then
    log "$name did not become ready; last log lines:"
    tail -n 30 "$logdir/$name.log" "$logdir/daemon.out" 2>/dev/null >&2 || true
    exit 1
  fi
}

daemon_configure() {
  if ! $CLI storage show "$POOL" >/dev/null 2>&1 || ! $CLI network show "$BRIDGE" >/dev/null 2>&1 \
    || ! $CLI profile device show default 2>/dev/null | grep -q "network: $BRIDGE"; then
    log "$INIT --preseed (pool $POOL, bridge $BRIDGE $BRIDGE_ADDRESS)"
    $INIT --preseed <<EOF
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

  if [ "$($CLI config get core.https_address)" != "$HTTPS_ADDRESS" ]; then
    log "core.https_address=$HTTPS_ADDRESS"
    $CLI config set core.https_address "$HTTPS_ADDRESS"
  fi

  if $CLI image show "$IMAGE_ALIAS" 2>/dev/null | grep -q "labfleet_version: \"$IMAGE_VERSION\""; then
    log "ready (image $IMAGE_ALIAS v$IMAGE_VERSION present)"
    return 0
  fi
  if $CLI image show "$IMAGE_ALIAS" >/dev/null 2>&1; then
    log "replacing outdated image $IMAGE_ALIAS"
    $CLI image delete "$IMAGE_ALIAS"
  fi
  local work
  work=$(mktemp -d)
  build_test_image "$work"
  $CLI image import "$work/image.tar.gz" --alias "$IMAGE_ALIAS" >&2
  rm -rf "$work"
  log "ready (imported image $IMAGE_ALIAS v$IMAGE_VERSION)"
}

# build_test_image DIR: writes DIR/image.tar.gz (unified tarball: metadata.yaml + rootfs/).
build_test_image() {
  local work=$1
  local R=$work/rootfs
  mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/share/udhcpc,etc,dev,proc,sys,tmp,run,root,var/run}
  local BUSYBOX
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
}
