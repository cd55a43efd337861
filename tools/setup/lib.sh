# Shared helpers for tools/setup/prereqs-*.sh (sourced, not executed).
# apt_install PKG… installs the Debian packages that are missing (one `apt-get update` per run).
set -euo pipefail

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! is_root; then
    echo "prereqs: missing Debian packages (run as root to install): ${missing[*]}" >&2
    return 1
  fi
  if [ ! -f /tmp/.labfleet-apt-updated ]; then
    apt-get update -qq >/dev/null
    touch /tmp/.labfleet-apt-updated
  fi
  echo "prereqs: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
