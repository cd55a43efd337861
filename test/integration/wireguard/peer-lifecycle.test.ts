/**
 * WireGuardPeer provider against a real userspace hub (wireguard-go) in network namespaces:
 * create → handshake + ping, add/delete without disturbing another peer, an operator's grace
 * rotation (old key kept until the new one handshakes), drift on out-of-band changes, bad input
 * leaving the hub as it was. The delivered two-phase rotation: test/integration/fleet/key-rotation.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDump } from "../../../components/wireguard/dump.ts";
import * as hubStateImpl from "../../../components/wireguard/hub-state-impl.ts";
import type { HubStateOutputs } from "../../../components/wireguard/hub-state-impl.ts";
import * as peerImpl from "../../../components/wireguard/peer-impl.ts";
import type { PeerOutputs } from "../../../components/wireguard/peer-schema.ts";
import { hosted } from "./host.ts";
import { HUB_PORT, HUB_TUNNEL_IP, type LabPeer, NetnsLab, nsRun, sh } from "./netns-lab.ts";


// Every call crosses the same boundary as in Pulumi's dynamic-provider host.
const impl = hosted<PeerOutputs>(peerImpl);
const hubState = hosted<HubStateOutputs>(hubStateImpl);

let lab: NetnsLab;
let pA: LabPeer;
let pB: LabPeer;

function inputs(name: string, address: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return lab.peerInputs(name, address, extra);
}

async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await impl.check({}, news);
  expect(r.failures ?? []).toEqual([]);
  return r.inputs as Record<string, unknown>;
}

/** The hub's peers as (public key → allowed-ips, keepalive, psk?) — what "hub state" means here. */
async function hubPeers(): Promise<Record<string, string>> {
  const d = parseDump(await lab.hubDump());
  return Object.fromEntries(d.peers.map((p) => [p.publicKey, `${p.allowedIps.join(",")}|${p.persistentKeepalive}|${p.presharedKey ? "psk" : "-"}`]));
}

let A: { id: string; outs: PeerOutputs; inputs: Record<string, unknown> };
let B: { id: string; outs: PeerOutputs; inputs: Record<string, unknown> };

beforeAll(async () => {
  lab = new NetnsLab();
  await lab.start();
  pA = await lab.addPeerNs();
  pB = await lab.addPeerNs();
});

afterAll(async () => {
  await lab?.destroy();
});

describe("WireGuardPeer on a real hub (wireguard-go in netns)", () => {
  it("WireGuardHubState reads the live hub's public key inside its namespace and checks the listen port", async () => {
    const ins = { interface: lab.hubIf, transport: { kind: "local", netns: lab.hubNs }, listenPort: HUB_PORT };
    const r = await hubState.create(ins);
    expect(r.outs).toMatchObject({ publicKey: lab.hubKeys.publicKey, observedListenPort: HUB_PORT, drift: [] });
    expect((await hubState.read(r.id, r.outs)).props.drift).toEqual([]);
    await expect(hubState.create({ ...ins, listenPort: 51821 })).rejects.toThrow(
      `hub ${lab.hubIf} on local (netns ${lab.hubNs}) listens on ${HUB_PORT}, config says 51821 (labfleet:wireguard.hub.listenPort)`,
    );
    await expect(hubState.create({ ...ins, interface: "wgmissing0" })).rejects.toThrow(/wg show wgmissing0 public-key.*failed/);
  });

  it("create peer A: key matches `wg pubkey`, hub lists it, handshake and ping across the tunnel", async () => {
    const ins = await checked(inputs("agent-a", "10.231.100.10"));
    const r = await impl.create(ins);
    A = { ...r, inputs: ins };
    expect(r.id).toBe(`${lab.hubIf}/${r.outs.publicKey}`);
    expect((await sh(["wg", "pubkey"], { stdin: r.outs.privateKey })).trim()).toBe(r.outs.publicKey);
    expect(r.outs.hubAllowedIps).toEqual(["10.231.100.10/32"]);
    expect(await hubPeers()).toEqual({ [r.outs.publicKey]: "10.231.100.10/32|25|-" });
    expect(r.outs.clientConfig).toContain(`PublicKey = ${lab.hubKeys.publicKey}`);
    expect(r.outs.qrCodeSvg).toMatch(/^<svg/);

    await lab.applyClientConfig(pA, r.outs.clientConfig);
    await lab.ping(pA, 3, 0.2); // first probe triggers the handshake
    const ping = await lab.ping(pA, 10, 0.05);
    expect(ping.transmitted).toBe(10);
    expect(ping.received).toBe(10);
    expect(await lab.latestHandshake(r.outs.publicKey)).toBeGreaterThan(0);
  });

  it("add peer B (with a preshared key) while A pings continuously: A loses 0 packets, B works", async () => {
    const before = await hubPeers();
    const ping = lab.startPing(pA, 0.02);
    await new Promise((r) => setTimeout(r, 500));
    const ins = await checked(inputs("agent-b", "10.231.100.11", { presharedKey: true, reserved: { "agent-a": "10.231.100.10" } }));
    const r = await impl.create(ins);
    B = { ...r, inputs: ins };
    await lab.applyClientConfig(pB, r.outs.clientConfig);
    const pingB = await lab.ping(pB, 5, 0.1);
    const a = await ping.stop();
    expect(pingB.received).toBeGreaterThanOrEqual(4);
    expect(a.transmitted).toBeGreaterThan(50);
    expect(a.lost).toBe(0);
    expect(r.outs.presharedKeyValue).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(r.outs.clientConfig).toContain(`PresharedKey = ${r.outs.presharedKeyValue}`);
    expect(await hubPeers()).toEqual({ ...before, [r.outs.publicKey]: "10.231.100.11/32|25|psk" });
    expect(parseDump(await lab.hubDump()).peers.find((p) => p.publicKey === r.outs.publicKey)?.presharedKey).toBe(r.outs.presharedKeyValue);
  });

  it("delete B while A pings: B's ping fails, B is absent from the dump, A loses 0; delete again succeeds", async () => {
    const ping = lab.startPing(pA, 0.02);
    await new Promise((r) => setTimeout(r, 300));
    await impl.delete(B.id, B.outs);
    const a = await ping.stop();
    expect(a.transmitted).toBeGreaterThan(50);
    expect(a.lost).toBe(0);
    const pingB = await lab.ping(pB, 3, 0.2);
    expect(pingB.received).toBe(0);
    expect(Object.keys(await hubPeers())).toEqual([A.outs.publicKey]);
    await expect(impl.delete(B.id, B.outs)).resolves.toBeUndefined();
    expect(Object.keys(await hubPeers())).toEqual([A.outs.publicKey]);
  });

  it("updates in place: diff says update (no replace) for keepalive/extra routes, wg set applies them", async () => {
    const news = await checked({ ...A.inputs, persistentKeepalive: 15, allowedIps: ["10.231.150.0/24"] });
    const d = await impl.diff(A.id, A.outs, news);
    expect(d.changes).toBe(true);
    expect(d.replaces).toEqual([]);
    const ping = lab.startPing(pA, 0.02);
    const u = await impl.update(A.id, A.outs, news);
    const a = await ping.stop();
    expect(a.lost).toBe(0);
    expect(u.outs.publicKey).toBe(A.outs.publicKey);
    expect(u.outs.privateKey).toBe(A.outs.privateKey);
    expect(await hubPeers()).toEqual({ [A.outs.publicKey]: "10.231.100.10/32,10.231.150.0/24|15|-" });
    A = { id: A.id, outs: u.outs, inputs: news };
    expect((await impl.diff(A.id, A.outs, news)).changes).toBe(false);
  });

  it("read reports drift after an out-of-band `wg set … remove` and changed allowed-ips; update repairs it with the same key", { timeout: 90_000 }, async () => {
    await nsRun(lab.hubNs, ["wg", "set", lab.hubIf, "peer", A.outs.publicKey, "remove"]);
    const gone = await impl.read(A.id, A.outs);
    expect(gone.id).toBe(A.id);
    expect(gone.props.present).toBe(false);
    expect(gone.props.hubAllowedIps).toEqual([]);
    expect(gone.props.drift).toEqual([`peer ${A.outs.publicKey.slice(0, 8)}… is missing from ${lab.hubIf}`]);
    expect(gone.inputs).toMatchObject({ name: "agent-a", address: "10.231.100.10", persistentKeepalive: 15 });
    expect(gone.inputs.publicKey).toBeUndefined();
    const d = await impl.diff(A.id, gone.props, A.inputs);
    expect(d).toMatchObject({ changes: true, replaces: [] });
    const fixed = await impl.update(A.id, gone.props, A.inputs);
    expect(await hubPeers()).toEqual({ [A.outs.publicKey]: "10.231.100.10/32,10.231.150.0/24|15|-" });
    // The hub forgot A's session with the peer; A's client re-handshakes on its own timers (≤ ~15 s).
    const recovered = await lab.waitForReply(pA, 30_000);
    console.log(`wireguard: peer A recovered ${recovered} ms after the drift repair (client-side re-handshake)`);
    // Connectivity is back: a burst gets through (one straggler tolerated on a loaded 2-core CI box).
    expect((await lab.ping(pA, 10, 0.1)).received).toBeGreaterThanOrEqual(9);

    await nsRun(lab.hubNs, ["wg", "set", lab.hubIf, "peer", A.outs.publicKey, "allowed-ips", "10.231.100.99/32", "persistent-keepalive", "7"]);
    const changed = await impl.read(A.id, fixed.outs);
    expect(changed.props.present).toBe(true);
    expect(changed.props.hubAllowedIps).toEqual(["10.231.100.99/32"]);
    expect(changed.props.persistentKeepalive).toBe(7);
    expect(changed.props.drift).toEqual([
      "allowed-ips are 10.231.100.99/32, want 10.231.100.10/32,10.231.150.0/24",
      "persistent-keepalive is 7, want 15",
    ]);
    expect((await impl.diff(A.id, changed.props, A.inputs)).changes).toBe(true);
    A = { ...A, outs: (await impl.update(A.id, changed.props, A.inputs)).outs };
    expect((await impl.read(A.id, A.outs)).props.drift).toEqual([]);
  });

  it("rotates A without a delivery path (an operator): in place, the new key at its alternate address, the old key works through the grace, then goes", async () => {
    const news = await checked({ ...A.inputs, alternateAddress: "10.231.100.60", rotation: "2025-q1", rotationGraceDays: 7 });
    expect(await impl.diff(A.id, A.outs, news)).toMatchObject({ changes: true, replaces: [], stables: [] });
    const old = A.outs;
    const ping = lab.startPing(pA, 0.05);
    await new Promise((r) => setTimeout(r, 500));
    const rotated = (await impl.update(A.id, old, news)).outs;
    const tally = await ping.stop();
    expect(tally.lost, `ping with the old key during the rotation: ${JSON.stringify({ ...tally, replies: undefined })}`).toBe(0);
    expect(rotated).toMatchObject({ activeAddress: "10.231.100.60", previousPublicKey: old.publicKey, previousAddress: "10.231.100.10", address: "10.231.100.10" });
    expect(rotated.publicKey).not.toBe(old.publicKey);
    expect(Date.parse(rotated.graceUntil) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(rotated.clientConfig).toContain("Address = 10.231.100.60/32");
    expect(rotated.clientConfig).toContain(`PrivateKey = ${rotated.privateKey}`);
    expect(rotated.qrCodeSvg).toMatch(/^<svg/);
    expect(await hubPeers()).toEqual({ [old.publicKey]: "10.231.100.10/32|15|-", [rotated.publicKey]: "10.231.100.60/32,10.231.150.0/24|15|-" });

    // Within the grace the old key still handshakes (a fresh session: the client's config applied anew).
    const before = await lab.latestHandshake(old.publicKey);
    await new Promise((r) => setTimeout(r, 1100));
    await lab.applyClientConfig(pA, old.clientConfig);
    await lab.waitForReply(pA);
    expect(await lab.latestHandshake(old.publicKey)).toBeGreaterThan(before);
    // A second up within the grace, nothing new seen: no change.
    expect((await impl.diff(A.id, rotated, news)).changes).toBe(false);

    // The operator installs the new config (QR / output): the new key handshakes at its new address.
    await nsRun(pA.ns, ["ip", "addr", "flush", "dev", pA.iface]);
    await lab.applyClientConfig(pA, rotated.clientConfig);
    await lab.waitForReply(pA);
    expect(await lab.latestHandshake(rotated.publicKey)).toBeGreaterThan(0);
    // Refresh sees that handshake; the next up removes the old key.
    const seen = (await impl.read(A.id, rotated)).props;
    expect(seen.latestHandshake).toBeGreaterThan(0);
    expect((await impl.diff(A.id, seen, news)).changes).toBe(true);
    const done = (await impl.update(A.id, seen, news)).outs;
    expect(done).toMatchObject({ publicKey: rotated.publicKey, previousPublicKey: "", activeAddress: "10.231.100.60" });
    expect(await hubPeers()).toEqual({ [rotated.publicKey]: "10.231.100.60/32,10.231.150.0/24|15|-" });
    expect((await lab.ping(pA, 5, 0.1)).received).toBe(5);
    A = { id: A.id, outs: done, inputs: news };
  });

  it("rotateAfterDays: check stamps the reason once the key is older than that (an in-place update), not before", async () => {
    const young = await impl.check(A.inputs, { ...A.inputs, rotateAfterDays: 30 });
    expect(young.inputs.keyRotation).toBeUndefined();
    expect((await impl.diff(A.id, A.outs, young.inputs)).changes).toBe(true); // rotateAfterDays itself was added
    const aged = { ...A.inputs, keyCreatedAt: new Date(Date.now() - 31 * 86_400_000).toISOString() };
    const due = await impl.check(aged, { ...A.inputs, rotateAfterDays: 30 });
    expect(due.inputs.keyRotation).toMatch(/^rotateAfterDays: /);
    expect(await impl.diff(A.id, { ...A.outs, rotateAfterDays: 30 }, due.inputs)).toMatchObject({ changes: true, replaces: [] });
  });

  it("bad input (bad key, address outside the CIDR, duplicate address) → clear error naming the peer, hub unchanged", async () => {
    const before = await hubPeers();
    const badKey = await impl.check({}, inputs("agent-c", "10.231.100.20", { hubPublicKey: "not-a-key" }));
    expect(badKey.failures?.[0]?.reason).toBe('peer "agent-c": hubPublicKey: must be a base64 WireGuard key (44 chars)');
    const ownKey = await impl.check({}, inputs("agent-c", "10.231.100.20", { publicKey: `${"A".repeat(42)}B=` }));
    expect(ownKey.failures?.[0]?.reason).toMatch(/^peer "agent-c": publicKey: must/);
    const outside = await impl.check({}, inputs("agent-c", "10.231.101.20"));
    expect(outside.failures).toEqual([
      { property: "address", reason: 'peer "agent-c": address: 10.231.101.20 is outside the hub CIDR 10.231.100.0/24' },
    ]);
    const hubs = await impl.check({}, inputs("agent-c", HUB_TUNNEL_IP));
    expect(hubs.failures?.[0]?.reason).toBe(`peer "agent-c": address: ${HUB_TUNNEL_IP} is the hub's own address in 10.231.100.0/24`);
    const dup = await impl.check({}, inputs("agent-c", "10.231.100.10", { reserved: { "agent-a": "10.231.100.10" } }));
    expect(dup.failures).toEqual([{ property: "address", reason: 'peer "agent-c": address: 10.231.100.10 is already used by peer "agent-a"' }]);
    // The provider re-validates in create too: nothing reaches the hub.
    await expect(impl.create(inputs("agent-c", "10.231.101.20"))).rejects.toThrow(/peer "agent-c": address: 10.231.101.20 is outside/);
    await expect(impl.create(inputs("agent-c", "10.231.100.20", { hubPublicKey: "x" }))).rejects.toThrow(/hubPublicKey/);
    await expect(impl.create(inputs("agent-c", "10.231.100.20", { interface: "wgnope0" }))).rejects.toThrow(/wg show wgnope0 dump|wgnope0/);
    expect(await hubPeers()).toEqual(before);
  });

  it("a bring-your-own public key is registered without a private key; the client config says so", async () => {
    const own = (await sh(["wg", "pubkey"], { stdin: (await sh(["wg", "genkey"])).trim() })).trim();
    const ins = await checked(inputs("operator-x", "10.231.100.30", { publicKey: own }));
    const r = await impl.create(ins);
    expect(r.outs).toMatchObject({ publicKey: own, keySource: "provided", privateKey: "" });
    expect(r.outs.clientConfig).toContain("# PrivateKey = <the private key you hold for this public key>");
    expect((await hubPeers())[own]).toBe("10.231.100.30/32|25|-");
    const d = await impl.diff(r.id, r.outs, { ...ins, publicKey: A.outs.publicKey });
    expect(d.replaces).toEqual(["publicKey"]);
    await impl.delete(r.id, r.outs);
    expect((await hubPeers())[own]).toBeUndefined();
  });
});
