/**
 * Hub restarts: the peer provider keeps the hub's peers in a file on the hub, in step with every
 * create, update and delete; the hub's wireguard-go is then killed and started again with only its
 * own [Interface] (as wg-quick brings it up from its config), its `PostUp` line restores the peers
 * from that file, and every peer's pings resume — with no provider call in between.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseDump } from "../../../components/wireguard/dump.ts";
import { wgQuickPostUp } from "../../../components/wireguard/persist.ts";
import * as peerImpl from "../../../components/wireguard/peer-impl.ts";
import type { PeerOutputs } from "../../../components/wireguard/peer-schema.ts";
import { hosted } from "./host.ts";
import { type LabPeer, NetnsLab, nsRun } from "./netns-lab.ts";

const impl = hosted<PeerOutputs>(peerImpl);
let lab: NetnsLab;
let file: string;
const peers: { ns: LabPeer; id: string; outs: PeerOutputs }[] = [];

beforeAll(async () => {
  lab = new NetnsLab();
  await lab.start();
  file = join(lab.tmp, "etc", `${lab.hubIf}.peers.conf`);
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
}, 60_000);

const keysIn = (text: string) => [...text.matchAll(/^PublicKey = (\S+)$/gm)].map((m) => m[1]).sort();
const hubKeys = async () => parseDump(await lab.hubDump()).peers.map((p) => p.publicKey).sort();

it("keeps the hub's peers in a file on every change, and restores every peer after the hub restarts", async () => {
  for (let i = 0; i < 4; i++) {
    const ns = await lab.addPeerNs();
    const checked = await impl.check({}, lab.peerInputs(`agent-${i + 1}`, `10.231.100.${20 + i}`, { persistFile: file }));
    expect(checked.failures).toEqual([]);
    const { id, outs } = await impl.create(checked.inputs);
    await lab.applyClientConfig(ns, outs.clientConfig);
    peers.push({ ns, id, outs });
  }
  expect(keysIn(readFileSync(file, "utf8"))).toEqual(await hubKeys());
  expect(readFileSync(file, "utf8")).not.toContain("PrivateKey");

  // An update and a delete are kept in step too.
  const extra = await impl.create((await impl.check({}, lab.peerInputs("extra", "10.231.100.40", { persistFile: file }))).inputs);
  expect(keysIn(readFileSync(file, "utf8"))).toContain(extra.outs.publicKey);
  const updated = await impl.update(extra.id, extra.outs, (await impl.check({}, lab.peerInputs("extra", "10.231.100.40", { persistFile: file, persistentKeepalive: 10 }))).inputs);
  expect(readFileSync(file, "utf8")).toMatch(new RegExp(`PublicKey = ${extra.outs.publicKey.replace(/[+/]/g, "\\$&")}\\n(.*\\n)*?PersistentKeepalive = 10`));
  await impl.delete(extra.id, updated.outs);
  expect(keysIn(readFileSync(file, "utf8"))).toEqual(peers.map((p) => p.outs.publicKey).sort());
  for (const p of peers) await lab.waitForReply(p.ns, 20_000);

  // The hub restarts: only its [Interface] comes back, then wg-quick's PostUp line runs.
  await lab.restartHub("");
  expect(await hubKeys()).toEqual([]);
  const postUp = wgQuickPostUp(file).replace(/^PostUp = /, "").replaceAll("%i", lab.hubIf);
  await nsRun(lab.hubNs, ["sh", "-c", postUp]);
  expect(await hubKeys()).toEqual(peers.map((p) => p.outs.publicKey).sort());
  const dump = parseDump(await lab.hubDump());
  for (const p of peers) expect(dump.peers.find((d) => d.publicKey === p.outs.publicKey)?.allowedIps).toEqual([`${p.outs.address}/32`]);
  for (const p of peers) await lab.waitForReply(p.ns, 30_000);
  // Pings flow again for every peer, without loss once back.
  const results = await Promise.all(peers.map((p) => lab.ping(p.ns, 10, 0.1)));
  for (const r of results) expect(r.received).toBe(10);
}, 180_000);
