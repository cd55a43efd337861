#!/usr/bin/env bash
# Prerequisites of the WireGuard tests and bench (idempotent): userspace WireGuard (wireguard-go)
# and wireguard-tools, iproute2 (ip netns, veth), ping, and openssh-server for the ssh-transport
# test; /dev/net/tun must exist (wireguard-go creates its interface there).
set -euo pipefail

need=()
command -v wireguard-go >/dev/null 2>&1 || need+=(wireguard-go)
command -v wg >/dev/null 2>&1 || need+=(wireguard-tools)
command -v wg-quick >/dev/null 2>&1 || need+=(wireguard-tools)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)

if [ "${#need[@]}" -gt 0 ]; then
  # shellcheck disable=SC2207
  pkgs=($(printf '%s\n' "${need[@]}" | sort -u))
  echo "prereqs-wireguard: installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi

# sshd wants its privilege-separation directory; the test runs its own sshd, not the system one.
mkdir -p /run/sshd
chmod 0755 /run/sshd

if [ ! -c /dev/net/tun ]; then
  mkdir -p /dev/net
  mknod /dev/net/tun c 10 200 2>/dev/null || true
  chmod 0666 /dev/net/tun 2>/dev/null || true
fi
if [ ! -c /dev/net/tun ]; then
  echo "prereqs-wireguard: /dev/net/tun is missing and cannot be created; wireguard-go needs it" >&2
  exit 1
fi
if ! ip netns list >/dev/null 2>&1; then
  echo "prereqs-wireguard: ip netns does not work here (needs root / CAP_SYS_ADMIN)" >&2
  exit 1
fi
echo "prereqs-wireguard: ok ($(wireguard-go --version | head -1), $(wg --version | head -1))"
