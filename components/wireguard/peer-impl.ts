import type * as pulumi from "@pulumi/pulumi";
import { checkInputs, hasUnknown, plain, withoutProvider } from "../dynamic-inputs.ts";
import { renderClientConfig, qrCodeSvg } from "./client-config.ts";
import { findPeer } from "./dump.ts";
import { type KeyPair, generateKeyPair, generatePresharedKey, keyLabel } from "./keys.ts";
import { PEER_IN_PLACE_KEYS, PeerInputs, type PeerOutputs } from "./peer-schema.ts";
import { persistPeers } from "./persist.ts";
import { type RotationContext, rotateDelivered, rotateWithGrace } from "./rotation.ts";
import { type Transport, withTransport } from "./transport.ts";
import { applyPeer, removePeer, sameAllowedIps, showDump } from "./wg.ts";

/**
 * WireGuardPeer provider logic (driven directly by tests; `peer.ts` delegates here).
 * id = `<interface>/<first public key>`: a provided key or another hub is a new resource (replace);
 * everything else is an in-place `wg set`, a key rotation too (rotation.ts: two phases with a
 * delivery path, a grace period without one).
 */
const DAY_MS = 86_400_000;

/**
 * Validates inputs; values not known yet (preview) are let through untouched, with valid
 * stand-ins in their place so the known ones are still judged against them (e.g. the address
 * against the CIDR while the hub key is unknown).
 */
export async function check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(PeerInputs, { ...news, ...rotationStamp(olds, news, Date.now()) }, {
    label: (n) => (typeof n.name === "string" ? `peer ${JSON.stringify(n.name)}` : "peer"),
    standIns: { hubPublicKey: `${"A".repeat(43)}=`, sshPrivateKey: "" },
  });
}

/**
 * `keyCreatedAt` and `keyRotation`, carried in the inputs so that a time-based rotation is a
 * visible input change in preview (`keyRotation: "rotateAfterDays: …"`) and an in-place update.
 * A manual `rotation` change restarts the key's age; a first check (create) starts it.
 */
export function rotationStamp(olds: Record<string, unknown>, news: Record<string, unknown>, now: number): { keyCreatedAt?: string; keyRotation?: string } {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const created = str(olds.keyCreatedAt);
  const lastReason = str(olds.keyRotation);
  const stamp = new Date(now).toISOString();
  const carried = { ...(lastReason !== undefined ? { keyRotation: lastReason } : {}) };
  if (Object.keys(olds).filter((k) => k !== "__provider").length === 0 || news.publicKey !== undefined) return { keyCreatedAt: stamp };
  if (hasUnknown(news.rotation) || hasUnknown(news.rotateAfterDays)) return { keyCreatedAt: created ?? stamp, ...carried };
  if ((news.rotation ?? null) !== (olds.rotation ?? null)) return { keyCreatedAt: stamp, ...carried };
  const days = news.rotateAfterDays;
  if (created === undefined) return { keyCreatedAt: stamp, ...carried };
  if (typeof days === "number" && (now - Date.parse(created)) / DAY_MS >= days) {
    return { keyCreatedAt: stamp, keyRotation: `rotateAfterDays: the key of ${created.slice(0, 10)} was ${days}+ days old on ${stamp.slice(0, 10)}` };
  }
  return { keyCreatedAt: created, ...carried };
}

function parse(news: Record<string, unknown>): PeerInputs {
  const r = PeerInputs.safeParse(withoutProvider(news));
  if (!r.success) {
    const who = (news as { name?: unknown })?.name;
    throw new Error(`peer ${JSON.stringify(who)}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return r.data;
}

function desiredAllowedIps(p: Pick<PeerInputs, "allowedIps">, address: string): string[] {
  return [`${address}/32`, ...p.allowedIps];
}

/** A rotation's state, kept in the outputs: which of the peer's addresses the key holds, and the old key during a grace. */
interface KeyState {
  activeAddress: string;
  previousPublicKey: string;
  previousAddress: string;
  graceUntil: string;
  latestHandshake: number;
}

const noGrace = { previousPublicKey: "", previousAddress: "", graceUntil: "" };

async function outputs(
  p: PeerInputs,
  keys: { publicKey: string; privateKey: string; keySource: "generated" | "provided"; presharedKeyValue: string; createdAt: string },
  hubAllowedIps: string[],
  state: KeyState,
): Promise<PeerOutputs> {
  const clientConfig = renderClientConfig({
    name: p.name,
    privateKey: keys.privateKey || undefined,
    publicKey: keys.publicKey,
    address: state.activeAddress,
    dns: p.dns,
    hubPublicKey: p.hubPublicKey,
    hubEndpoint: p.hubEndpoint,
    presharedKey: keys.presharedKeyValue || undefined,
    allowedIps: p.clientAllowedIps ?? [p.cidr],
    persistentKeepalive: p.persistentKeepalive,
  });
  return { ...p, ...keys, ...state, clientConfig, qrCodeSvg: await qrCodeSvg(clientConfig), hubAllowedIps, present: true, drift: [] };
}

/** Keeps the hub's peers in its persist file, when the hub has one (after every change). */
async function persist(t: Transport, p: Pick<PeerInputs, "interface" | "persistFile">): Promise<void> {
  if (p.persistFile) await persistPeers(t, p.interface, p.persistFile);
}

export async function create(news: Record<string, unknown>): Promise<{ id: string; outs: PeerOutputs }> {
  const p = parse(news);
  const pair = p.publicKey ? { publicKey: p.publicKey, privateKey: "" } : generateKeyPair();
  const presharedKeyValue = p.presharedKey ? generatePresharedKey() : "";
  const applied = await withTransport(p.transport, p.sshPrivateKey, async (t) => {
    const existed = findPeer(await showDump(t, p.interface), pair.publicKey) !== undefined;
    try {
      const peer = await applyPeer(t, p.interface, {
        publicKey: pair.publicKey,
        allowedIps: desiredAllowedIps(p, p.address),
        persistentKeepalive: p.persistentKeepalive,
        endpoint: p.endpoint,
        presharedKey: presharedKeyValue || undefined,
      });
      await persist(t, p);
      return peer;
    } catch (err) {
      // Nothing half-applied: a peer this create added is taken out again.
      if (!existed) await removePeer(t, p.interface, pair.publicKey).catch(() => undefined);
      throw err;
    }
  });
  const outs = await outputs(
    p,
    { ...pair, keySource: p.publicKey ? "provided" : "generated", presharedKeyValue, createdAt: p.keyCreatedAt ?? new Date().toISOString() },
    applied.allowedIps,
    { activeAddress: p.address, ...noGrace, latestHandshake: applied.latestHandshake },
  );
  return { id: `${p.interface}/${pair.publicKey}`, outs: plain(outs) };
}

/** Compares the hub's dump with what was applied; missing peer / changed settings become `drift`. */
export async function read(id: string, props: PeerOutputs): Promise<{ id: string; props: PeerOutputs; inputs: Record<string, unknown> }> {
  const dump = await withTransport(props.transport, props.sshPrivateKey, (t) => showDump(t, props.interface));
  const peer = findPeer(dump, props.publicKey);
  const drift: string[] = [];
  const observed: Partial<PeerOutputs> = {};
  const want = desiredAllowedIps(props, activeAddress(props));
  if (props.previousPublicKey && !findPeer(dump, props.previousPublicKey)) Object.assign(observed, noGrace);
  if (!peer) {
    drift.push(`peer ${keyLabel(props.publicKey)} is missing from ${props.interface}`);
    Object.assign(observed, { present: false, hubAllowedIps: [] });
  } else {
    observed.present = true;
    observed.hubAllowedIps = peer.allowedIps;
    observed.latestHandshake = peer.latestHandshake;
    if (!sameAllowedIps(peer.allowedIps, want)) drift.push(`allowed-ips are ${peer.allowedIps.join(",") || "(none)"}, want ${want.join(",")}`);
    if (peer.persistentKeepalive !== props.persistentKeepalive) {
      drift.push(`persistent-keepalive is ${peer.persistentKeepalive}, want ${props.persistentKeepalive}`);
      observed.persistentKeepalive = peer.persistentKeepalive;
    }
    if (props.endpoint && peer.endpoint !== props.endpoint) {
      drift.push(`endpoint is ${peer.endpoint ?? "(none)"}, want ${props.endpoint}`);
      observed.endpoint = peer.endpoint ?? "";
    }
    if ((peer.presharedKey ?? "") !== props.presharedKeyValue) drift.push("preshared key differs from the one applied");
  }
  const inputs: Record<string, unknown> = {};
  for (const k of Object.keys(PeerInputs.shape)) {
    const v = (props as unknown as Record<string, unknown>)[k];
    if (v !== undefined) inputs[k] = v;
  }
  if (props.keySource === "generated") delete inputs.publicKey;
  inputs.keyCreatedAt ??= props.createdAt;
  return { id, props: plain({ ...props, ...observed, drift }), inputs: plain(inputs) };
}

function transportTarget(t: PeerInputs["transport"]): string {
  return t.kind === "local" ? `local:${t.netns ?? ""}` : `ssh:${t.host}:${t.port}`;
}


function activeAddress(o: Pick<PeerOutputs, "address" | "activeAddress">): string {
  return o.activeAddress || o.address;
}

/** The old key of a grace rotation may go: the grace is over, or the new key has handshaken. */
function graceDone(o: PeerOutputs, now: number): boolean {
  return Boolean(o.previousPublicKey) && (now >= Date.parse(o.graceUntil) || (o.latestHandshake ?? 0) > 0);
}

/** Whether `news` asks for a new key: `rotation` changed, or check stamped a new `keyRotation`. */
function rotationAsked(olds: Partial<PeerInputs>, n: Partial<PeerInputs>): boolean {
  return (n.rotation ?? null) !== (olds.rotation ?? null) || (n.keyRotation ?? null) !== (olds.keyRotation ?? null);
}

/**
 * Replace for a provided key or another hub; everything else in place — a rotation (`rotation`,
 * `keyRotation`) and the end of a grace (`previousPublicKey`) too.
 */
export async function diff(_id: string, olds: PeerOutputs, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = [];
  const changed: string[] = [];
  const n = news as Partial<PeerInputs>;
  const known = (k: keyof PeerInputs) => !hasUnknown(n[k]);
  if (n.interface !== olds.interface) replaces.push("interface");
  if (known("transport") && n.transport && transportTarget(n.transport as PeerInputs["transport"]) !== transportTarget(olds.transport)) {
    replaces.push("transport");
  } else if (JSON.stringify(n.transport) !== JSON.stringify(olds.transport)) changed.push("transport");
  const providedKey = olds.keySource === "provided" ? olds.publicKey : undefined;
  if (known("publicKey") && n.publicKey !== providedKey) replaces.push("publicKey");
  for (const k of PEER_IN_PLACE_KEYS) {
    if (JSON.stringify(n[k] ?? null) !== JSON.stringify(olds[k] ?? null)) changed.push(k);
  }
  if (graceDone(olds, Date.now())) changed.push("previousPublicKey");
  // Drift found by refresh (`read`) is repaired in place.
  const want = n.allowedIps && known("address") && known("allowedIps") ? desiredAllowedIps(n as PeerInputs, activeAddress(olds)) : undefined;
  if (olds.present === false || (want && !sameAllowedIps(olds.hubAllowedIps ?? [], want))) changed.push("hubAllowedIps");
  if ((olds.drift ?? []).length > 0 && !changed.includes("hubAllowedIps")) changed.push("drift");
  const rotating = rotationAsked(olds, n);
  return {
    changes: replaces.length > 0 || changed.length > 0,
    replaces,
    deleteBeforeReplace: false,
    stables: replaces.length > 0 || rotating ? [] : ["publicKey", "createdAt"],
  };
}

export async function update(_id: string, olds: PeerOutputs, news: Record<string, unknown>): Promise<{ outs: PeerOutputs }> {
  const p = parse(news);
  let presharedKeyValue = olds.presharedKeyValue ?? "";
  let psk: string | null | undefined;
  if (p.presharedKey && !presharedKeyValue) presharedKeyValue = psk = generatePresharedKey();
  else if (!p.presharedKey && presharedKeyValue) {
    presharedKeyValue = "";
    psk = null;
  } else if (presharedKeyValue && (olds.drift ?? []).some((d) => d.startsWith("preshared key"))) psk = presharedKeyValue;
  else if (presharedKeyValue && olds.present === false) psk = presharedKeyValue;
  const rotate = olds.keySource === "generated" && rotationAsked(olds, p);
  return withTransport(p.transport, p.sshPrivateKey, async (t) => {
    let state: KeyState = {
      activeAddress: activeAddress(olds),
      previousPublicKey: olds.previousPublicKey ?? "",
      previousAddress: olds.previousAddress ?? "",
      graceUntil: olds.graceUntil ?? "",
      latestHandshake: olds.latestHandshake ?? 0,
    };
    // The old key of a grace rotation goes once the grace is over or the new key has handshaken
    // (seen live here), and always before another rotation.
    if (state.previousPublicKey) {
      const live = findPeer(await showDump(t, p.interface), olds.publicKey);
      if (rotate || graceDone({ ...olds, latestHandshake: live?.latestHandshake ?? 0 }, Date.now())) {
        await removePeer(t, p.interface, state.previousPublicKey);
        await persist(t, p);
        state = { ...state, ...noGrace };
      }
    }
    if (rotate) return { outs: plain(await rotateKey(t, p, olds, state, presharedKeyValue)) };
    const applied = await applyPeer(t, p.interface, {
      publicKey: olds.publicKey,
      allowedIps: desiredAllowedIps(p, state.activeAddress),
      persistentKeepalive: p.persistentKeepalive,
      endpoint: p.endpoint,
      presharedKey: psk,
    });
    await persist(t, p);
    const keys = { publicKey: olds.publicKey, privateKey: olds.privateKey, keySource: olds.keySource, presharedKeyValue, createdAt: olds.createdAt };
    return { outs: plain(await outputs(p, keys, applied.allowedIps, { ...state, latestHandshake: applied.latestHandshake })) };
  });
}

/** A new generated key, in place (rotation.ts): delivered in two phases, or with a grace period. */
async function rotateKey(t: Transport, p: PeerInputs, olds: PeerOutputs, state: KeyState, presharedKeyValue: string): Promise<PeerOutputs> {
  const pair: KeyPair = generateKeyPair();
  const keys = { ...pair, keySource: "generated" as const, presharedKeyValue, createdAt: p.keyCreatedAt ?? new Date().toISOString() };
  const from = state.activeAddress;
  const to = p.delivery ? from : otherAddress(p, from);
  const c: RotationContext = {
    t,
    p,
    oldKey: olds.publicKey,
    pair,
    allowedIps: desiredAllowedIps(p, to),
    presharedKey: presharedKeyValue || undefined,
    persist: () => persist(t, p),
  };
  if (p.delivery) {
    const pending = await outputs(p, keys, c.allowedIps, { ...state, ...noGrace });
    const r = await rotateDelivered(c, p.delivery, pending.clientConfig);
    return { ...pending, latestHandshake: r.latestHandshake };
  }
  const g = await rotateWithGrace(c, from, to);
  return outputs(p, keys, c.allowedIps, { ...g, previousPublicKey: olds.publicKey, latestHandshake: 0 });
}

/** The address a grace rotation moves to: the peer's other one (`address` ↔ `alternateAddress`). */
function otherAddress(p: PeerInputs, from: string): string {
  if (!p.alternateAddress) {
    throw new Error(`peer ${JSON.stringify(p.name)}: rotating a peer without a delivery path needs its alternateAddress (the hub allocates one for operator peers)`);
  }
  return from === p.address ? p.alternateAddress : p.address;
}

/** Revokes the peer (`wg set … remove`); a peer that is already gone is success. */
export async function remove(_id: string, props: PeerOutputs): Promise<void> {
  await withTransport(props.transport, props.sshPrivateKey, async (t) => {
    await removePeer(t, props.interface, props.publicKey);
    if (props.previousPublicKey) await removePeer(t, props.interface, props.previousPublicKey);
    await persist(t, props);
  });
}
export { remove as delete };
