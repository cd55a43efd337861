#!/usr/bin/env bash
# Prerequisites of the WireGuard tests and bench (idempotent): userspace WireGuard (wireguard-go)
# and wireguard-tools (wg, wg-quick), iproute2 (ip netns, veth), ping, and openssh-server/-client for
# the ssh-transport test (the test runs its own sshd; the system one is not started).
# /dev/net/tun must exist: wireguard-go creates its interface there.
source "$(dirname "$0")/lib.sh"

need=()
command -v wireguard-go >/dev/null 2>&1 || need+=(wireguard-go)
{ command -v wg && command -v wg-quick; } >/dev/null 2>&1 || need+=(wireguard-tools)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
[ "${#need[@]}" -eq 0 ] || apt_install "${need[@]}"

if is_root; then
  # sshd's privilege-separation directory (normally made by systemd-tmpfiles).
  install -d -m 0755 /run/sshd
  if [ ! -c /dev/net/tun ]; then
    install -d -m 0755 /dev/net
    mknod -m 0666 /dev/net/tun c 10 200 2>/dev/null || true
  fi
fi
if [ ! -c /dev/net/tun ]; then
  echo "prereqs-wireguard: /dev/net/tun is missing and cannot be created; wireguard-go needs it" >&2
  exit 1
fi
if ! ip netns list >/dev/null 2>&1; then
  echo "prereqs-wireguard: ip netns does not work here (needs root / CAP_SYS_ADMIN)" >&2
  exit 1
fi
echo "prereqs-wireguard: ok ($(wireguard-go --version 2>&1 | head -1), $(wg --version | cut -d' ' -f1-2))"
