/**
 * WireGuard bench (real tunnels, wireguard-go in network namespaces):
 *  1. packets lost by an existing peer A while another peer B is added and then revoked —
 *     with the provider (`wg set`) vs the seed scripts' restart (`wg-quick down && up`: here kill
 *     wireguard-go, re-create the interface, setconf), side by side in one run;
 *  2. time to apply 100 peers with the provider (sequential, and 10 at a time like `pulumi up`'s
 *     default parallelism), and to revoke them.
 */
import { generateKeyPair } from "../../components/wireguard/keys.ts";
import * as impl from "../../components/wireguard/peer-impl.ts";
import type { PeerOutputs } from "../../components/wireguard/peer-schema.ts";
import { type LabPeer, NetnsLab, type PingResult, } from "../../test/integration/wireguard/netns-lab.ts";

const PING_INTERVAL_S = 0.01;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function create(lab: NetnsLab, name: string, address: string): Promise<{ id: string; outs: PeerOutputs }> {
  const checked = await impl.check({}, lab.peerInputs(name, address));
  if (checked.failures?.length) throw new Error(JSON.stringify(checked.failures));
  return impl.create(checked.inputs as Record<string, unknown>);
}

function peerConf(o: Pick<PeerOutputs, "publicKey" | "hubAllowedIps" | "persistentKeepalive">): string {
  return `[Peer]\nPublicKey = ${o.publicKey}\nAllowedIPs = ${o.hubAllowedIps.join(", ")}\nPersistentKeepalive = ${o.persistentKeepalive}\n\n`;
}

/** Runs `step` while A pings the hub every 10 ms; keeps pinging until A gets replies again (≤ 40 s). */
async function lossDuring(lab: NetnsLab, a: LabPeer, step: () => Promise<void>): Promise<PingResult> {
  const ping = lab.startPing(a, PING_INTERVAL_S);
  await sleep(1000);
  await step();
  await lab.waitForReply(a, 40_000);
  await sleep(500);
  return ping.stop();
}

const fmt = (r: PingResult) => `${r.lost}/${r.transmitted}`;

export default async function bench(): Promise<void> {
  const lab = new NetnsLab();
  try {
    await lab.start();
    const pa = await lab.addPeerNs();
    const pb = await lab.addPeerNs();
    const a = await create(lab, "bench-a", "10.231.100.10");
    await lab.applyClientConfig(pa, a.outs.clientConfig);
    await lab.waitForReply(pa, 10_000);

    // 1a. provider: wg set (add B), B talks, wg set … remove (revoke B)
    const viaProvider = await lossDuring(lab, pa, async () => {
      const b = await create(lab, "bench-b", "10.231.100.11");
      await lab.applyClientConfig(pb, b.outs.clientConfig);
      await lab.waitForReply(pb, 10_000);
      await impl.delete(b.id, b.outs);
    });

    // 1b. baseline: rewrite the config and restart the interface for the add, and again for the revoke
    const b2 = { publicKey: generateKeyPair().publicKey, hubAllowedIps: ["10.231.100.12/32"], persistentKeepalive: 25 };
    const viaRestart = await lossDuring(lab, pa, async () => {
      await lab.restartHub(peerConf(a.outs) + peerConf(b2));
      await sleep(1000);
      await lab.restartHub(peerConf(a.outs));
    });
    const ratio = (viaRestart.maxGapMs / Math.max(viaProvider.maxGapMs, 1)).toFixed(0);
    console.log(
      `wireguard: packets lost on an existing peer during add+revoke of another (10 ms ping): provider=${fmt(viaProvider)} ` +
        `vs wg-quick-restart=${fmt(viaRestart)} (longest gap between replies ${viaProvider.maxGapMs} ms vs ${viaRestart.maxGapMs} ms = ${ratio}× longer with the restart)`,
    );

    // 2. 100 peers: sequential, then 10 at a time; then revoke them all.
    const addresses = (offset: number) => Array.from({ length: 100 }, (_, i) => `10.231.100.${20 + offset + i}`);
    let t = performance.now();
    const seq: { id: string; outs: PeerOutputs }[] = [];
    for (const [i, addr] of addresses(0).entries()) seq.push(await create(lab, `seq-${i}`, addr));
    const seqMs = performance.now() - t;
    t = performance.now();
    for (const p of seq) await impl.delete(p.id, p.outs);
    const delMs = performance.now() - t;
    t = performance.now();
    const par: { id: string; outs: PeerOutputs }[] = [];
    const queue = addresses(0).map((addr, i) => [`par-${i}`, addr] as const);
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) par.push(await create(lab, next[0], next[1]));
      }),
    );
    const parMs = performance.now() - t;
    const peersOnHub = (await lab.hubDump()).trim().split("\n").length - 1;
    console.log(
      `wireguard: apply 100 peers: sequential=${(seqMs / 1000).toFixed(2)} s (${(seqMs / 100).toFixed(0)} ms/peer), ` +
        `10 parallel=${(parMs / 1000).toFixed(2)} s; revoke 100 sequential=${(delMs / 1000).toFixed(2)} s; hub then lists ${peersOnHub} peers (+A)`,
    );
  } finally {
    await lab.destroy();
  }
}
