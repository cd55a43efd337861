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
  # Another apt/dpkg (a colleague's install, a parallel prereqs script) may hold the locks: wait for
  # it instead of failing (seen on a fresh machine: "Could not get lock /var/lib/dpkg/lock-frontend").
  local wait_lock=(-o DPkg::Lock::Timeout=600)
  if [ ! -f /tmp/.labfleet-apt-updated ]; then
    local try
    for try in $(seq 1 60); do
      apt-get "${wait_lock[@]}" update -qq >/dev/null && break
      [ "$try" -eq 60 ] && return 1
      echo "prereqs: apt-get update failed (lists lock held?), retrying in 5 s" >&2
      sleep 5
    done
    touch /tmp/.labfleet-apt-updated
  fi
  echo "prereqs: installing ${missing[*]}"
  # --no-install-recommends keeps installs small, so every run-time need that Debian lists only as a
  # Recommends must be named by the prereqs script itself (see docs/runbooks/fresh-machine.md).
  DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# python_venv: python3 with venv + ensurepip (the machine's python3, else Debian's python3-venv).
python_venv() {
  command -v python3 >/dev/null || apt_install python3
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
}
