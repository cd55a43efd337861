import { type Dump, type DumpPeer, findPeer, parseDump } from "./dump.ts";
import { keyLabel } from "./keys.ts";
import type { Transport } from "./transport.ts";

/**
 * The `wg` commands the provider runs on a hub. Peers are changed one at a time with
 * `wg set <if> peer …` (never setconf / wg-quick down+up), so other peers' sessions are untouched.
 * A preshared key goes to `wg` as a 0600 file in a private temp directory on the hub, removed
 * right after (Transport.withSecretFile); it never appears in argv.
 */
export interface PeerSettings {
  publicKey: string;
  allowedIps: string[];
  persistentKeepalive: number;
  endpoint?: string | undefined;
  /** A key to set, `null` to remove the peer's preshared key, undefined to leave it. */
  presharedKey?: string | null | undefined;
}

export async function showDump(t: Transport, iface: string): Promise<Dump> {
  return parseDump(await t.run(["wg", "show", iface, "dump"]));
}

/** argv of `wg set <if> peer …`; `pskFile` is where the preshared key was written (if one is set). */
export function setPeerArgs(iface: string, s: PeerSettings, pskFile?: string): string[] {
  const argv = ["wg", "set", iface, "peer", s.publicKey];
  if (s.presharedKey === null) argv.push("preshared-key", "/dev/null");
  else if (s.presharedKey !== undefined) argv.push("preshared-key", pskFile ?? "");
  if (s.endpoint) argv.push("endpoint", s.endpoint);
  argv.push("persistent-keepalive", s.persistentKeepalive === 0 ? "off" : String(s.persistentKeepalive));
  argv.push("allowed-ips", s.allowedIps.join(","));
  return argv;
}

function sameSet(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Applies one peer with `wg set` and checks the hub now shows exactly these settings. */
export async function applyPeer(t: Transport, iface: string, s: PeerSettings): Promise<DumpPeer> {
  const psk = s.presharedKey;
  if (typeof psk === "string") await t.withSecretFile(`${psk}\n`, (file) => t.run(setPeerArgs(iface, s, file)));
  else await t.run(setPeerArgs(iface, s));
  const peer = findPeer(await showDump(t, iface), s.publicKey);
  const problems: string[] = [];
  if (!peer) problems.push("peer is absent after wg set");
  else {
    if (!sameSet(peer.allowedIps, s.allowedIps)) problems.push(`allowed-ips are ${peer.allowedIps.join(",") || "(none)"}`);
    if (peer.persistentKeepalive !== s.persistentKeepalive) problems.push(`persistent-keepalive is ${peer.persistentKeepalive}`);
  }
  if (problems.length > 0 || !peer) {
    throw new Error(`hub ${iface} on ${t.target} did not take peer ${keyLabel(s.publicKey)}: ${problems.join("; ")}`);
  }
  return peer;
}

/** Removes a peer; already absent is success. Returns whether it was present. */
export async function removePeer(t: Transport, iface: string, publicKey: string): Promise<boolean> {
  if (!findPeer(await showDump(t, iface), publicKey)) return false;
  await t.run(["wg", "set", iface, "peer", publicKey, "remove"]);
  if (findPeer(await showDump(t, iface), publicKey)) {
    throw new Error(`hub ${iface} on ${t.target} still lists peer ${keyLabel(publicKey)} after remove`);
  }
  return true;
}

export function sameAllowedIps(a: string[], b: string[]): boolean {
  return sameSet(a, b);
}

/** The hub's own public key and listen port (`wg show <if> public-key|listen-port`). */
export async function hubIdentity(t: Transport, iface: string): Promise<{ publicKey: string; listenPort: number }> {
  const publicKey = (await t.run(["wg", "show", iface, "public-key"])).trim();
  const listenPort = Number((await t.run(["wg", "show", iface, "listen-port"])).trim());
  if (!/^[A-Za-z0-9+/]{43}=$/.test(publicKey)) throw new Error(`hub ${iface} on ${t.target} has no private key set (wg show public-key: "${publicKey}")`);
  return { publicKey, listenPort };
}
