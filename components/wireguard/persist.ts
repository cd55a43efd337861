import type { Transport } from "./transport.ts";

/**
 * The hub's peers kept on the hub (docs/design/wireguard.md, "Hub restarts").
 * Design notes: docs/design/wireguard.md ("components/wireguard/persist.ts").
 */

const WRITE = 'set -e\numask 077\nmkdir -p "$(dirname "$1")"\ncat > "$1.tmp"\nmv "$1.tmp" "$1"';

/** The `[Peer]` sections of `wg showconf` output (the [Interface] section dropped). */
export function peerSections(showconf: string): string {
  const at = showconf.search(/^\[Peer\]/m);
  return at < 0 ? "" : showconf.slice(at);
}

const queues = new Map<string, Promise<unknown>>();

/** Writes the hub's current peers to `file` on the hub; one write at a time per hub interface. */
export function persistPeers(t: Transport, iface: string, file: string): Promise<void> {
  const key = `${t.target}/${iface}`;
  const run = async () => {
    const peers = peerSections(await t.run(["wg", "showconf", iface]));
    await t.runAsUser(["sh", "-c", WRITE, "sh", file], peers);
  };
  const next = (queues.get(key) ?? Promise.resolve()).then(run, run);
  queues.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

/** The wg-quick `PostUp` line that restores the peers (`%i` is the interface). */
export const wgQuickPostUp = (file: string) => `PostUp = test ! -s ${file} || wg addconf %i ${file}`;
