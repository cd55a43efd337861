#!/bin/sh
# Simulated esptool v5 (`version`, `image-info`, `write-flash`) for tests, benches and a board-less
# local stack:
#   HUT_ESPTOOL=hardware/sim/fake-esptool.sh hut flash --slot hut-01 --firmware fw.bin
# It stays because a real esptool can only get as far as connecting to a chip, and these need a
# flash that succeeds; everything up to the port is tested against the real esptool v4 and v5
# (test/integration/hut/esptool-real.test.ts).
# `image-info` reads the chip id from the image's extended header like esptool does.
# `write-flash` prints v5-style output (non-TTY form: one progress line per step) and "Hash of data verified."
#   FAKE_ESPTOOL_LOG          append the argv here, one argument per line, then a line "--end--"
#   FAKE_ESPTOOL_MODE         ok (default) | fail (exit 2 mid-write) | noverify (exit 0, no hash line) | hang
#   FAKE_ESPTOOL_DURATION_MS  total write time, default 200
#   FAKE_ESPTOOL_STEPS        progress lines, default 5
set -eu
case "${1:-}" in
  version) echo "esptool v5.0.2"; echo "5.0.2"; exit 0 ;;
  image-info)
    magic=$(od -An -tx1 -N1 "$2" | tr -d ' ')
    if [ "$magic" != e9 ]; then
      echo "A fatal error occurred: Invalid firmware image magic=0x$magic." >&2
      exit 2
    fi
    id=$(od -An -tu2 -j12 -N2 "$2" | tr -d ' ')
    case "$id" in
      0) name=ESP32 ;; 2) name=ESP32-S2 ;; 5) name=ESP32-C3 ;; 9) name=ESP32-S3 ;;
      12) name=ESP32-C2 ;; 13) name=ESP32-C6 ;; 16) name=ESP32-H2 ;; 18) name=ESP32-P4 ;;
      *) echo "A fatal error occurred: Unknown chip id $id" >&2; exit 2 ;;
    esac
    echo "esptool v5.0.2"
    echo "Detected image type: $name"
    exit 0 ;;
esac
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
