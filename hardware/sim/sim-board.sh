#!/bin/sh
# Simulated board for the simulated lab: prints the lab app's boot output to the device end of a
# slot's pty pair (hardware/sim/pty.ts) once a second, so `hut flash`'s boot check and
# `hut monitor` see a booted board. Usage: sim-board.sh <device>. Ends when the pty goes away.
set -eu
exec >"$1"
n=0
while :; do
  n=$((n + 1))
  printf 'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nlab-node v0.0.0 ready (simulated, %s)\r\n' "$n"
  sleep 1
done
