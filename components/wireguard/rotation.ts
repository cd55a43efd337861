import { deliver, where } from "./delivery.ts";
import { findPeer } from "./dump.ts";
import { type KeyPair, keyLabel } from "./keys.ts";
import type { DeliverySpec, PeerInputs } from "./peer-schema.ts";
import type { Transport } from "./transport.ts";
import { applyPeer, removePeer, showDump } from "./wg.ts";

/**
 * The hub's half of a key rotation (docs/design/wireguard.md, "Key rotation"). With a delivery
 * path, two phases and no lost packet: the new config is delivered over the old tunnel and the
 * peer schedules its own switch; after that moment the hub moves the peer's addresses to the new
 * key in ONE `wg set` (the peer's traffic was staged meanwhile), waits for the new key's
 * handshake, then removes the old key — or moves the addresses back and removes the new key,
 * naming the peer (the peer puts its old key back by itself). Without one (an operator), the
 * new key joins at the other of the peer's two addresses and the old key stays for the grace.
 * The hub's persist file is written after every hub change, so a restart mid-way is a working mesh.
 */

/** Seconds the peer waits before it switches; the hub moves the addresses `SWITCH_MARGIN_MS` after. */
export const SWITCH_DELAY_S = 1;
export const SWITCH_MARGIN_MS = 500;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RotationContext {
  t: Transport;
  p: PeerInputs;
  /** The key being replaced. */
  oldKey: string;
  pair: KeyPair;
  /** The allowed-ips the peer holds (its active /32 and routed networks). */
  allowedIps: string[];
  presharedKey: string | undefined;
  /** Writes the hub's persist file (no-op without one). */
  persist: () => Promise<void>;
}

export interface DeliveredRotation {
  /** ms from the start of the delivery to the old key's removal. */
  durationMs: number;
  /** ms from the address move to the new key's first handshake. */
  handshakeMs: number;
  latestHandshake: number;
}

export async function rotateDelivered(c: RotationContext, d: DeliverySpec, newConfig: string): Promise<DeliveredRotation> {
  const { t, p } = c;
  const iface = p.interface;
  const old = findPeer(await showDump(t, iface), c.oldKey);
  if (!old) throw new Error(`peer ${JSON.stringify(p.name)}: its key ${keyLabel(c.oldKey)} is not on hub ${iface}; run \`pulumi up --refresh\` to restore it before rotating`);
  const t0 = Date.now();
  // (1) nothing on the hub yet; (2) the peer gets its new config over the old tunnel.
  const bound = p.handshakeTimeoutSeconds;
  await deliver(p.name, d, p.deliveryPrivateKey, newConfig, { interface: d.interface, configDir: d.configDir, delaySeconds: SWITCH_DELAY_S, boundSeconds: bound + SWITCH_DELAY_S + 10 });
  await sleep(SWITCH_DELAY_S * 1000 + SWITCH_MARGIN_MS);
  // (3) one `wg set` moves the addresses from the old key to the new one; a keepalive (sent as
  // soon as a peer gets one) starts the handshake from the hub's side at the old endpoint.
  const endpoint = p.endpoint ?? old.endpoint ?? undefined;
  const keepalive = p.persistentKeepalive > 0 ? p.persistentKeepalive : 25;
  const moved = Date.now();
  try {
    await applyPeer(t, iface, { publicKey: c.pair.publicKey, allowedIps: c.allowedIps, persistentKeepalive: keepalive, endpoint, presharedKey: c.presharedKey });
    await c.persist();
  } catch (err) {
    await moveBack(c, old.persistentKeepalive, endpoint);
    throw err;
  }
  // (4) the new key's handshake, bounded; then the old key goes.
  const deadline = moved + bound * 1000;
  let handshake = 0;
  while (Date.now() < deadline) {
    handshake = findPeer(await showDump(t, iface), c.pair.publicKey)?.latestHandshake ?? 0;
    if (handshake > 0) break;
    await sleep(POLL_MS);
  }
  if (handshake === 0) {
    await moveBack(c, old.persistentKeepalive, endpoint);
    throw new Error(
      `peer ${JSON.stringify(p.name)} (${where(d)}): no handshake with its new key ${keyLabel(c.pair.publicKey)} within ${bound}s (handshakeTimeoutSeconds); ` +
        `its addresses are back on the old key ${keyLabel(c.oldKey)}, which the peer restores by itself (${d.configDir}/${d.interface}.rotate.log)`,
    );
  }
  const handshakeMs = Date.now() - moved;
  await removePeer(t, iface, c.oldKey);
  if (keepalive !== p.persistentKeepalive) await applyPeer(t, iface, { publicKey: c.pair.publicKey, allowedIps: c.allowedIps, persistentKeepalive: p.persistentKeepalive, endpoint });
  await c.persist();
  return { durationMs: Date.now() - t0, handshakeMs, latestHandshake: handshake };
}

/** Failure after (3): the addresses go back to the old key in one `wg set`, the new key is removed. */
async function moveBack(c: RotationContext, keepalive: number, endpoint: string | undefined): Promise<void> {
  await applyPeer(c.t, c.p.interface, { publicKey: c.oldKey, allowedIps: c.allowedIps, persistentKeepalive: keepalive, endpoint });
  await removePeer(c.t, c.p.interface, c.pair.publicKey);
  await c.persist();
}

export interface GraceRotation {
  activeAddress: string;
  previousAddress: string;
  graceUntil: string;
}

/**
 * No delivery path: the new key joins at the peer's other address (one /32 belongs to one peer
 * on an interface) with the routed networks; the old key keeps its /32 until the grace ends.
 */
export async function rotateWithGrace(c: RotationContext, from: string, to: string): Promise<GraceRotation> {
  const { t, p } = c;
  const holder = (await showDump(t, p.interface)).peers.find((x) => x.publicKey !== c.oldKey && x.allowedIps.includes(`${to}/32`));
  if (holder) throw new Error(`peer ${JSON.stringify(p.name)}: its rotation address ${to} is held by another peer on the hub (${keyLabel(holder.publicKey)})`);
  try {
    await applyPeer(t, p.interface, { publicKey: c.pair.publicKey, allowedIps: c.allowedIps, persistentKeepalive: p.persistentKeepalive, endpoint: p.endpoint, presharedKey: c.presharedKey });
    await applyPeer(t, p.interface, { publicKey: c.oldKey, allowedIps: [`${from}/32`], persistentKeepalive: p.persistentKeepalive, endpoint: p.endpoint });
    await c.persist();
  } catch (err) {
    await removePeer(t, p.interface, c.pair.publicKey).catch(() => undefined);
    await c.persist().catch(() => undefined);
    throw err;
  }
  return { activeAddress: to, previousAddress: from, graceUntil: new Date(Date.now() + p.rotationGraceDays * 86_400_000).toISOString() };
}
