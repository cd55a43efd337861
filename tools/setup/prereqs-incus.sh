#!/usr/bin/env bash
# Incus 6.0 (LTS) beside LXD 5.0.2, so that the LXD provider's integration tests run against both
# daemons. Idempotent; run as root.
#  - adds Debian bookworm-backports (the only Debian suite with Incus for bookworm) and pins the
#    incus packages to 6.0.x there; nothing else is taken from backports but what they need
#  - installs incus-base (the container-only daemon: `incus` would pull qemu for VMs, which the
#    tests do not run) + incus-client, and dnsmasq-base (only a Recommends of incus-base)
#  - starts incusd (no systemd here: directly, detached) and waits for it
#  - pool, bridge lfbr1 10.233.0.1/24, HTTPS listener and the same test image as LXD
#    (tools/setup/lxd-common.sh), through `incus admin init --preseed` and `incus image import`
set -euo pipefail

POOL=${LABFLEET_INCUS_POOL:-labfleet}
BRIDGE=${LABFLEET_INCUS_BRIDGE:-lfbr1}
BRIDGE_ADDRESS=${LABFLEET_INCUS_BRIDGE_ADDRESS:-10.233.0.1/24}
HTTPS_ADDRESS=${LABFLEET_INCUS_HTTPS_ADDRESS:-127.0.0.1:18444}
IMAGE_ALIAS=${LABFLEET_LXD_IMAGE:-labfleet-runner}
INCUS_SERIES=6.0
LOG_DIR=/var/log/incus
SOURCES=/etc/apt/sources.list.d/labfleet-bookworm-backports.sources
PIN=/etc/apt/preferences.d/labfleet-incus

log() { echo "prereqs-incus: $*" >&2; }

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools/setup/lib.sh
. "$here/lib.sh"

if ! is_root; then
  if incus admin waitready --timeout 2 >/dev/null 2>&1 && incus image show "$IMAGE_ALIAS" >/dev/null 2>&1; then
    log "Incus is running and $IMAGE_ALIAS exists (not root: nothing else checked)"
    exit 0
  fi
  log "Incus is not set up and setting it up needs root: sudo $0"
  exit 1
fi

# --- packages -----------------------------------------------------------------------------------
if ! dpkg-query -W -f='${Status} ${Version}' incus-base 2>/dev/null | grep -q "install ok installed $INCUS_SERIES\."; then
  if [ ! -f "$SOURCES" ]; then
    log "adding bookworm-backports ($SOURCES)"
    cat >"$SOURCES" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    rm -f /tmp/.labfleet-apt-updated # the new suite needs its lists
  fi
  # Backports has priority 100 (never chosen over bookworm by itself); these packages are pinned
  # to the Incus LTS series, and the two libraries only backports carries follow them.
  cat >"$PIN" <<PREF
Package: incus-base incus-client
Pin: version $INCUS_SERIES.*
Pin-Priority: 990

Package: libcowsql0 libraft0
Pin: release n=bookworm-backports
Pin-Priority: 500
PREF
  apt_install incus-base incus-client dnsmasq-base
fi

# shellcheck source=tools/setup/lxd-common.sh
. "$here/lxd-common.sh"

# --- daemon -------------------------------------------------------------------------------------
daemon_start incusd "$LOG_DIR" "incus admin waitready" "incus.socket incus.service" /usr/libexec/incus/incusd --group incus-admin

CLI=incus INIT="incus admin init"
daemon_configure
