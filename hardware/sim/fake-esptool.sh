#!/bin/sh
# Simulated esptool v5 (`write-flash` only) for tests, benches and a board-less local stack:
#   HUT_ESPTOOL=hardware/sim/fake-esptool.sh hut flash --slot hut-01 --firmware fw.bin
# Prints v5-style output (non-TTY form: one progress line per step) and "Hash of data verified."
#   FAKE_ESPTOOL_LOG          append the argv here, one argument per line, then a line "--end--"
#   FAKE_ESPTOOL_MODE         ok (default) | fail (exit 2 mid-write) | noverify (exit 0, no hash line) | hang
#   FAKE_ESPTOOL_DURATION_MS  total write time, default 200
#   FAKE_ESPTOOL_STEPS        progress lines, default 5
set -eu
if [ -n "${FAKE_ESPTOOL_LOG:-}" ]; then
  { for a in "$@"; do printf '%s\n' "$a"; done; printf -- '--end--\n'; } >>"$FAKE_ESPTOOL_LOG"
fi
chip=auto port="" offset="" file="" prev=""
for a in "$@"; do
  case "$prev" in
    --chip) chip=$a ;;
    --port) port=$a ;;
  esac
  prev=$a
done
# write-flash <offset> <file>: the last two arguments
for a in "$@"; do offset=$file; file=$a; done
if [ -z "$port" ] || [ ! -e "$port" ]; then
  echo "A fatal error occurred: Could not open ${port:-<none>}, the port is busy or doesn't exist." >&2
  exit 2
fi
size=$(wc -c <"$file")
steps=${FAKE_ESPTOOL_STEPS:-5}
step_s=$(awk -v ms="${FAKE_ESPTOOL_DURATION_MS:-200}" -v n="$steps" 'BEGIN { printf "%.3f", ms / 1000 / n }')
comp=$(( size / 2 + 1 ))
echo "esptool v5.0.2"
echo "Connected to $(echo "$chip" | tr a-z A-Z) on $port:"
echo "Chip type:          $(echo "$chip" | tr a-z A-Z) (revision v3.1)"
echo "Stub flasher running."
echo
echo "Compressed $size bytes to $comp..."
i=0
while [ "$i" -le "$steps" ]; do
  pct=$(awk -v i="$i" -v n="$steps" 'BEGIN { printf "%5.1f", 100 * i / n }')
  done_b=$(( comp * i / steps ))
  printf 'Writing at 0x%08x [%-30s] %s%% %s/%s bytes... \n' $(( offset + size * i / steps )) "$(printf '%*s' $(( 30 * i / steps )) '' | tr ' ' '=')" "$pct" "$done_b" "$comp"
  if [ "${FAKE_ESPTOOL_MODE:-ok}" = fail ] && [ "$i" -ge $(( steps / 2 )) ]; then
    echo "A fatal error occurred: Packet content transfer stopped (received 8 bytes)" >&2
    exit 2
  fi
  [ "$i" -lt "$steps" ] && sleep "$step_s"
  i=$(( i + 1 ))
done
if [ "${FAKE_ESPTOOL_MODE:-ok}" = hang ]; then sleep 3600; fi
echo "Wrote $size bytes ($comp compressed) at $(printf '0x%08x' "$offset") in 0.2 seconds."
if [ "${FAKE_ESPTOOL_MODE:-ok}" != noverify ]; then echo "Hash of data verified."; fi
echo
echo "Hard resetting via RTS pin..."
