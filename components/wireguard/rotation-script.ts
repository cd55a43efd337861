/**
 * The peer's half of a two-phase key rotation (docs/design/wireguard.md, "Key rotation"): shell
 * run on the agent or runner host, the same for every delivery path. `install` runs while the old
 * tunnel still works: it takes the new wg-quick config from `<dir>/<if>.conf.new` (0600, already
 * there), extracts its private key to `<if>.key.new`, saves the running key to `<if>.key.prev`,
 * and starts `switch` detached, then returns at once. `switch` waits `delay` seconds (the
 * command's answer travels back over the old tunnel meanwhile), sets the new private key with
 * `wg set <if> private-key` (the interface stays up; traffic is staged until the hub answers the
 * new key), puts the new config in place (old one kept as `<if>.conf.prev`), then watches the
 * hub's latest handshake: a new one within `bound` seconds completes the switch; none puts the
 * old key and config back (the hub gave up and moved the address back to the old key). Log:
 * `<dir>/<if>.rotate.log`. Arguments arrive as positional parameters; no secret is in argv.
 */

const SWITCH = `IF=$1 D=$2 DELAY=$3 BOUND=$4
hs() { wg show "$IF" latest-handshakes | awk 'NR==1 {print $2}'; }
sleep "$DELAY"
if [ -e "$D/$IF.conf" ]; then cp -p "$D/$IF.conf" "$D/$IF.conf.prev"; fi
if ! wg set "$IF" private-key "$D/$IF.key.new"; then echo "switch failed: wg set private-key"; rm -f "$D/$IF.conf.prev"; exit 1; fi
mv "$D/$IF.conf.new" "$D/$IF.conf"
before=$(hs)
i=0
while [ "$i" -lt $((BOUND * 5)) ]; do
  now=$(hs)
  if [ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$before" ]; then
    rm -f "$D/$IF.key.new" "$D/$IF.key.prev" "$D/$IF.conf.prev"
    echo "switched: handshake with the new key"
    exit 0
  fi
  sleep 0.2
  i=$((i + 1))
done
wg set "$IF" private-key "$D/$IF.key.prev"
if [ -e "$D/$IF.conf.prev" ]; then mv "$D/$IF.conf.prev" "$D/$IF.conf"; else rm -f "$D/$IF.conf"; fi
rm -f "$D/$IF.key.new" "$D/$IF.key.prev"
echo "reverted: no handshake with the new key within \${BOUND}s"
exit 1`;

const INSTALL = `set -eu
IF=$1 D=$2 DELAY=$3 BOUND=$4
umask 077
command -v wg > /dev/null || { echo "wg is not installed" >&2; exit 3; }
test -s "$D/$IF.conf.new" || { echo "no new config at $D/$IF.conf.new" >&2; exit 3; }
wg show "$IF" private-key > "$D/$IF.key.prev"
sed -n 's/^PrivateKey *= *//p' "$D/$IF.conf.new" > "$D/$IF.key.new"
test -s "$D/$IF.key.new" || { echo "the new config has no PrivateKey" >&2; exit 3; }
setsid sh -c "$SWITCH" switch "$IF" "$D" "$DELAY" "$BOUND" > "$D/$IF.rotate.log" 2>&1 < /dev/null &
echo scheduled`;

export interface SwitchPlan {
  interface: string;
  configDir: string;
  /** Seconds the peer waits before it switches (the install's answer travels meanwhile). */
  delaySeconds: number;
  /** Seconds the peer waits for a handshake with its new key before it reverts. */
  boundSeconds: number;
}

/** Path of the new config the delivery writes (0600) before `installArgv` runs. */
export const newConfigPath = (p: Pick<SwitchPlan, "interface" | "configDir">) => `${p.configDir.replace(/\/$/, "")}/${p.interface}.conf.new`;

/** argv that installs the new key and schedules the switch (run as root on the peer). */
export function installArgv(p: SwitchPlan): string[] {
  return ["env", `SWITCH=${SWITCH}`, "sh", "-c", INSTALL, "install", p.interface, p.configDir.replace(/\/$/, "") || "/", String(p.delaySeconds), String(p.boundSeconds)];
}

/** argv that writes stdin to the new config path (0600) — the ssh delivery's first step. */
export function writeNewConfigArgv(p: Pick<SwitchPlan, "interface" | "configDir">): string[] {
  return ["sh", "-c", 'set -e; umask 077; mkdir -p "$(dirname "$1")"; cat > "$1"', "write", newConfigPath(p)];
}
