import type * as pulumi from "@pulumi/pulumi";
import { checkInputs, hasUnknown, plain, withoutProvider } from "../dynamic-inputs.ts";
import { renderClientConfig, qrCodeSvg } from "./client-config.ts";
import { findPeer } from "./dump.ts";
import { generateKeyPair, generatePresharedKey, keyLabel } from "./keys.ts";
import { PEER_IN_PLACE_KEYS, PeerInputs, type PeerOutputs } from "./peer-schema.ts";
import { persistPeers } from "./persist.ts";
import { type Transport, withTransport } from "./transport.ts";
import { applyPeer, removePeer, sameAllowedIps, showDump } from "./wg.ts";

/**
 * WireGuardPeer provider logic (driven directly by tests; `peer.ts` delegates here).
 * id = `<interface>/<public key>`: a new key is a new resource (replace), everything else is
 * an in-place `wg set`.
 */
const DAY_MS = 86_400_000;

/**
 * Validates inputs; values not known yet (preview) are let through untouched, with valid
 * stand-ins in their place so the known ones are still judged against them (e.g. the address
 * against the CIDR while the hub key is unknown).
 */
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(PeerInputs, news, {
    label: (n) => (typeof n.name === "string" ? `peer ${JSON.stringify(n.name)}` : "peer"),
    standIns: { hubPublicKey: `${"A".repeat(43)}=`, sshPrivateKey: "" },
  });
}

function parse(news: Record<string, unknown>): PeerInputs {
  const r = PeerInputs.safeParse(withoutProvider(news));
  if (!r.success) {
    const who = (news as { name?: unknown })?.name;
    throw new Error(`peer ${JSON.stringify(who)}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return r.data;
}

function desiredAllowedIps(p: PeerInputs): string[] {
  return [`${p.address}/32`, ...p.allowedIps];
}

async function outputs(
  p: PeerInputs,
  keys: { publicKey: string; privateKey: string; keySource: "generated" | "provided"; presharedKeyValue: string; createdAt: string },
  hubAllowedIps: string[],
): Promise<PeerOutputs> {
  const clientConfig = renderClientConfig({
    name: p.name,
    privateKey: keys.privateKey || undefined,
    publicKey: keys.publicKey,
    address: p.address,
    dns: p.dns,
    hubPublicKey: p.hubPublicKey,
    hubEndpoint: p.hubEndpoint,
    presharedKey: keys.presharedKeyValue || undefined,
    allowedIps: p.clientAllowedIps ?? [p.cidr],
    persistentKeepalive: p.persistentKeepalive,
  });
  return { ...p, ...keys, clientConfig, qrCodeSvg: await qrCodeSvg(clientConfig), hubAllowedIps, present: true, drift: [] };
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
        allowedIps: desiredAllowedIps(p),
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
    { ...pair, keySource: p.publicKey ? "provided" : "generated", presharedKeyValue, createdAt: new Date().toISOString() },
    applied.allowedIps,
  );
  return { id: `${p.interface}/${pair.publicKey}`, outs: plain(outs) };
}

/** Compares the hub's dump with what was applied; missing peer / changed settings become `drift`. */
export async function read(id: string, props: PeerOutputs): Promise<{ id: string; props: PeerOutputs; inputs: Record<string, unknown> }> {
  const dump = await withTransport(props.transport, props.sshPrivateKey, (t) => showDump(t, props.interface));
  const peer = findPeer(dump, props.publicKey);
  const drift: string[] = [];
  const observed: Partial<PeerOutputs> = {};
  const want = desiredAllowedIps(props);
  if (!peer) {
    drift.push(`peer ${keyLabel(props.publicKey)} is missing from ${props.interface}`);
    Object.assign(observed, { present: false, hubAllowedIps: [] });
  } else {
    observed.present = true;
    observed.hubAllowedIps = peer.allowedIps;
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
  return { id, props: plain({ ...props, ...observed, drift }), inputs: plain(inputs) };
}

function transportTarget(t: PeerInputs["transport"]): string {
  return t.kind === "local" ? `local:${t.netns ?? ""}` : `ssh:${t.host}:${t.port}`;
}


function keyAgeDays(createdAt: string, now: number): number {
  return (now - Date.parse(createdAt)) / DAY_MS;
}

/** Replace for a new key (rotation, own key changed) or another hub; everything else in place. */
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
  if ((n.rotation ?? null) !== (olds.rotation ?? null)) replaces.push("rotation");
  if (n.rotateAfterDays !== undefined && olds.keySource === "generated" && keyAgeDays(olds.createdAt, Date.now()) >= n.rotateAfterDays) {
    replaces.push("rotateAfterDays");
  }
  for (const k of PEER_IN_PLACE_KEYS) {
    if (JSON.stringify(n[k] ?? null) !== JSON.stringify(olds[k] ?? null)) changed.push(k);
  }
  // Drift found by refresh (`read`) is repaired in place.
  const want = n.address && n.allowedIps && known("address") ? [`${n.address}/32`, ...n.allowedIps] : undefined;
  if (olds.present === false || (want && !sameAllowedIps(olds.hubAllowedIps ?? [], want))) changed.push("hubAllowedIps");
  if ((olds.drift ?? []).length > 0 && !changed.includes("hubAllowedIps")) changed.push("drift");
  return {
    changes: replaces.length > 0 || changed.length > 0,
    replaces,
    deleteBeforeReplace: false,
    stables: replaces.length > 0 ? [] : ["publicKey", "createdAt"],
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
  const applied = await withTransport(p.transport, p.sshPrivateKey, async (t) => {
    const peer = await applyPeer(t, p.interface, {
      publicKey: olds.publicKey,
      allowedIps: desiredAllowedIps(p),
      persistentKeepalive: p.persistentKeepalive,
      endpoint: p.endpoint,
      presharedKey: psk,
    });
    await persist(t, p);
    return peer;
  });
  const outs = await outputs(
    p,
    { publicKey: olds.publicKey, privateKey: olds.privateKey, keySource: olds.keySource, presharedKeyValue, createdAt: olds.createdAt },
    applied.allowedIps,
  );
  return { outs: plain(outs) };
}

/** Revokes the peer (`wg set … remove`); a peer that is already gone is success. */
export async function remove(_id: string, props: PeerOutputs): Promise<void> {
  await withTransport(props.transport, props.sshPrivateKey, async (t) => {
    await removePeer(t, props.interface, props.publicKey);
    await persist(t, props);
  });
}
export { remove as delete };
