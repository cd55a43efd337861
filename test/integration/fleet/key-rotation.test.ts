/**
 * Two-phase key rotation of an agent over the mesh (docs/design/wireguard.md, "Key rotation"):
 * the WireGuardPeer provider, called as Pulumi's dynamic-provider host calls it from the hub's
 * namespace, rotates agent-01 while the hub pings all three agents at 5 Hz — no ping lost; the old
 * key is gone from the hub and its persist file, the new one has a handshake, the agent's config
 * file holds the new key. An agent whose SSH refuses the key: the rotation fails naming the
 * peer and nothing changed. The agent's own fallback: a switch the hub never answers is undone by
 * the agent within its bound, and its old key works again.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseDump } from "../../../components/wireguard/dump.ts";
import { generateKeyPair, publicKeyOf } from "../../../components/wireguard/keys.ts";
import type { PeerOutputs } from "../../../components/wireguard/peer-schema.ts";
import { installArgv, newConfigPath } from "../../../components/wireguard/rotation-script.ts";
import { nsRun } from "../wireguard/netns-lab.ts";
import { type Agent, AgentLab, type ManagedPeer, peerCall, peerProviderCall } from "./agent-lab.ts";

let lab: AgentLab;
let persistFile: string;
let managed: ManagedPeer;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const peerInputs = (a: Agent, extra: Record<string, unknown> = {}) => lab.peerInputs(a, { persistFile, ...extra });
const call = <T>(op: string, ...args: unknown[]) => peerCall<T>(lab, op, ...args);

beforeAll(async () => {
  lab = new AgentLab();
  await lab.start(3);
  persistFile = join(lab.wg.tmp, "hub-peers.conf");
  // agent-01 is taken over by the provider, as a stack owns its agents' keys.
  managed = await lab.manageKey(lab.agents[0]!, { persistFile });
}, 180_000);

afterAll(async () => {
  await lab?.destroy();
}, 60_000);

// wireguard-go lists peers in map order: sorted by key, so lists compare
const hubPeers = async () => parseDump(await lab.wg.hubDump()).peers.sort((x, y) => x.publicKey.localeCompare(y.publicKey));

it("rotates agent-01 in two phases while the hub pings every agent at 5 Hz: no ping lost, old key gone, new key handshaken", async () => {
  const a = lab.agents[0]!;
  const news = (await call<{ inputs: Record<string, unknown> }>("check", managed.inputs, { ...peerInputs(a), rotation: "r1" })).inputs;
  const d = await call<{ changes: boolean; replaces: string[] }>("diff", managed.id, managed.outs, news);
  expect(d).toMatchObject({ changes: true, replaces: [] });

  const pings = lab.agents.map((x) => lab.wg.startPingIn(lab.wg.hubNs, x.address, 0.2, 1000));
  await sleep(2000);
  const t0 = Date.now();
  const updated = await call<{ outs: PeerOutputs }>("update", managed.id, managed.outs, news);
  const durationMs = Date.now() - t0;
  await sleep(2000);
  const tallies = await Promise.all(pings.map((p) => p.stop()));
  console.log(
    `wireguard two-phase rotation of agent-01: ${durationMs} ms (update call); lost pings ${tallies.map((t, i) => `${lab.agents[i]!.name} ${t.lost}/${t.transmitted} (max gap ${t.maxGapMs} ms)`).join(", ")}`,
  );
  tallies.forEach((t, i) => {
    expect(t.transmitted, lab.agents[i]!.name).toBeGreaterThan(20);
    expect(t.lost, `${lab.agents[i]!.name}: ${JSON.stringify({ ...t, replies: undefined })}`).toBe(0);
  });

  const outs = updated.outs;
  expect(outs.publicKey).not.toBe(managed.outs.publicKey);
  expect(outs.activeAddress).toBe(a.address);
  expect(outs.previousPublicKey).toBe("");
  const peers = await hubPeers();
  expect(peers.find((p) => p.publicKey === managed.outs.publicKey)).toBeUndefined();
  const now = peers.find((p) => p.publicKey === outs.publicKey);
  expect(now?.allowedIps).toEqual([`${a.address}/32`]);
  expect(now?.latestHandshake).toBeGreaterThan(0);
  expect(now?.persistentKeepalive).toBe(25);
  // The hub's persist file is in step; the agent runs and keeps the new key.
  const persisted = readFileSync(persistFile, "utf8");
  expect(persisted).toContain(outs.publicKey);
  expect(persisted).not.toContain(managed.outs.publicKey);
  expect((await nsRun(a.peer.ns, ["wg", "show", a.peer.iface, "public-key"])).trim()).toBe(outs.publicKey);
  const conf = readFileSync(lab.agentConfigFile(a), "utf8");
  expect(publicKeyOf(/^PrivateKey = (\S+)$/m.exec(conf)?.[1] ?? "")).toBe(outs.publicKey);
  expect(execFileSync("stat", ["-c", "%a", lab.agentConfigFile(a)]).toString().trim()).toBe("600");
  for (let i = 0; i < 50 && !readFileSync(join(a.dir, "wg", `${a.peer.iface}.rotate.log`), "utf8").includes("switched"); i++) await sleep(100);
  expect(readFileSync(join(a.dir, "wg", `${a.peer.iface}.rotate.log`), "utf8")).toContain("switched: handshake with the new key");
  expect(execFileSync("ls", [join(a.dir, "wg")]).toString().trim().split("\n").sort()).toEqual([`${a.peer.iface}.conf`, `${a.peer.iface}.rotate.log`]);
  managed = { ...managed, outs, inputs: news };
  // Nothing left to do: the same inputs again are no change.
  expect((await call<{ changes: boolean }>("diff", managed.id, outs, news)).changes).toBe(false);
}, 120_000);

it("an agent whose SSH refuses the key: the rotation fails naming the peer, the hub and the agent are unchanged", async () => {
  const a = lab.agents[0]!;
  const before = await hubPeers();
  const wrong = join(lab.wg.tmp, "wrong_key");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", wrong]);
  const news = (await call<{ inputs: Record<string, unknown> }>("check", managed.inputs, { ...peerInputs(a, { deliveryPrivateKey: readFileSync(wrong, "utf8") }), rotation: "r2" })).inputs;
  const r = await peerProviderCall(lab, "update", managed.id, managed.outs, news);
  expect(r.ok).toBe(false);
  expect(r.error).toMatch(new RegExp(`^cannot deliver the new key of peer "agent-01" \\(ssh root@${a.address.replaceAll(".", "\\.")}:22\\): ssh key authentication .* was refused`));
  expect(r.error).not.toContain("PRIVATE KEY");
  expect((await hubPeers()).map((p) => [p.publicKey, p.allowedIps])).toEqual(before.map((p) => [p.publicKey, p.allowedIps]));
  expect((await nsRun(a.peer.ns, ["wg", "show", a.peer.iface, "public-key"])).trim()).toBe(managed.outs.publicKey);
  expect((await lab.wg.ping(a.peer, 5, 0.1)).received).toBe(5);
}, 60_000);

it("the agent's fallback: a switch the hub never answers is undone by the agent, and its old key works again", async () => {
  const a = lab.agents[1]!;
  const dir = join(a.dir, "wg");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stranger = generateKeyPair();
  const conf = `[Interface]\nPrivateKey = ${stranger.privateKey}\nAddress = ${a.address}/24\n`;
  const plan = { interface: a.peer.iface, configDir: dir, delaySeconds: 0, boundSeconds: 2 };
  writeFileSync(newConfigPath(plan), conf, { mode: 0o600 });
  execFileSync("ip", ["netns", "exec", a.peer.ns, ...installArgv(plan)]);
  await sleep(500);
  expect((await nsRun(a.peer.ns, ["wg", "show", a.peer.iface, "public-key"])).trim()).toBe(stranger.publicKey);
  const log = join(dir, `${a.peer.iface}.rotate.log`);
  for (let i = 0; i < 60 && !readFileSync(log, "utf8").includes("reverted"); i++) await sleep(100);
  expect(readFileSync(log, "utf8")).toContain("reverted: no handshake with the new key within 2s");
  expect((await nsRun(a.peer.ns, ["wg", "show", a.peer.iface, "public-key"])).trim()).toBe(a.publicKey);
  expect(execFileSync("ls", [dir]).toString().trim().split("\n")).toEqual([`${a.peer.iface}.rotate.log`]);
  await lab.wg.waitForReply(a.peer, 20_000);
}, 60_000);
