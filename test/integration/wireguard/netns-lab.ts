/**
 * A throw-away WireGuard lab in network namespaces: a hub namespace running a userspace
 * wireguard-go interface, and peer namespaces joined to it by veth pairs (underlay
 * 10.231.<n>.0/24, tunnel 10.231.100.0/24 — addresses that exist only inside these namespaces).
 * Every name carries a random suffix; `destroy()` kills the wireguard-go processes by pid and
 * deletes the namespaces by name, and is safe to call after a partial setup.
 * Used by the integration tests and by tools/bench/wireguard.bench.ts.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "../../../components/wireguard/keys.ts";

export const TUNNEL_CIDR = "10.231.100.0/24";
export const HUB_TUNNEL_IP = "10.231.100.1";
export const HUB_PORT = 51820;

export function sh(argv: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), { timeout: opts.timeoutMs ?? 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(" ")}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(opts.stdin);
  });
}

export const nsRun = (ns: string, argv: string[], opts?: { stdin?: string; timeoutMs?: number }) => sh(["ip", "netns", "exec", ns, ...argv], opts);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LabPeer {
  index: number;
  ns: string;
  iface: string;
  /** The hub's underlay address as this peer sees it. */
  hubUnderlay: string;
}

export interface PingResult {
  transmitted: number;
  received: number;
  lost: number;
  /** Unix ms of each reply, in order. */
  replies: number[];
  /** Longest gap between two replies (ms); the outage window. */
  maxGapMs: number;
}

/** A hub this lab did not make (e.g. a deployed stack's): peers join it, `destroy` leaves it. */
export interface ExternalHub {
  ns: string;
  iface: string;
  tunnelIp: string;
}

export class NetnsLab {
  readonly id = randomBytes(3).toString("hex");
  readonly hubNs: string;
  readonly hubIf: string;
  readonly hubTunnelIp: string;
  readonly hubKeys = generateKeyPair();
  readonly peers: LabPeer[] = [];
  readonly tmp = mkdtempSync(join(tmpdir(), "wgt-"));
  private readonly procs: ChildProcess[] = [];
  private readonly namespaces: string[] = [];
  private readonly pings = new Set<ChildProcess>();
  private hubProc: ChildProcess | undefined;

  constructor(hub?: ExternalHub) {
    this.hubNs = hub?.ns ?? `wgt-h-${this.id}`;
    this.hubIf = hub?.iface ?? `wgh${this.id}`;
    this.hubTunnelIp = hub?.tunnelIp ?? HUB_TUNNEL_IP;
  }

  /** Creates the hub namespace and interface (private key, listen port, tunnel address, up). */
  async start(): Promise<this> {
    chmodSync(this.tmp, 0o700);
    await this.addNs(this.hubNs);
    await this.startHubInterface("");
    return this;
  }

  /** (Re)creates the hub interface from scratch with `wg setconf` of `peersConf` ([Peer] sections). */
  private async startHubInterface(peersConf: string): Promise<void> {
    this.hubProc = await this.wireguardGo(this.hubNs, this.hubIf);
    const conf = join(this.tmp, "hub.conf");
    writeFileSync(conf, `[Interface]\nPrivateKey = ${this.hubKeys.privateKey}\nListenPort = ${HUB_PORT}\n\n${peersConf}`, { mode: 0o600 });
    try {
      await nsRun(this.hubNs, ["wg", "setconf", this.hubIf, conf]);
    } finally {
      rmSync(conf, { force: true });
    }
    await nsRun(this.hubNs, ["ip", "addr", "add", `${HUB_TUNNEL_IP}/24`, "dev", this.hubIf]);
    await nsRun(this.hubNs, ["ip", "link", "set", this.hubIf, "up"]);
  }

  /**
   * The seed scripts' way (`wg-quick down && wg-quick up` with a rewritten config), for the bench
   * baseline: with wireguard-go that is kill the daemon, create the interface again, setconf.
   */
  async restartHub(peersConf: string): Promise<void> {
    if (this.hubProc) {
      await stopProcess(this.hubProc);
      this.procs.splice(this.procs.indexOf(this.hubProc), 1);
    }
    await this.startHubInterface(peersConf);
  }

  /** A peer namespace with a veth to the hub and an (unconfigured) wireguard-go interface. */
  async addPeerNs(): Promise<LabPeer> {
    const index = this.peers.length + 1;
    if (index > 99) throw new Error("at most 99 lab peers");
    const ns = `wgt-p${index}-${this.id}`;
    const iface = `wgp${index}${this.id}`;
    await this.addNs(ns);
    const vh = `vh${index}${this.id}`;
    const vp = `vp${index}${this.id}`;
    await sh(["ip", "link", "add", vh, "netns", this.hubNs, "type", "veth", "peer", "name", vp, "netns", ns]);
    await nsRun(this.hubNs, ["ip", "addr", "add", `10.231.${index}.1/24`, "dev", vh]);
    await nsRun(this.hubNs, ["ip", "link", "set", vh, "up"]);
    await nsRun(ns, ["ip", "addr", "add", `10.231.${index}.2/24`, "dev", vp]);
    await nsRun(ns, ["ip", "link", "set", vp, "up"]);
    await this.wireguardGo(ns, iface);
    const peer = { index, ns, iface, hubUnderlay: `10.231.${index}.1` };
    this.peers.push(peer);
    return peer;
  }

  /**
   * Configures a peer from a wg-quick client config exactly as an operator would: `wg-quick strip`
   * (proves the format) → `wg setconf`, plus the Address and the AllowedIPs routes. `endpoint`
   * overrides the config's Endpoint (the lab's underlay address of the hub).
   */
  async applyClientConfig(peer: LabPeer, clientConfig: string): Promise<void> {
    const endpoint = `${peer.hubUnderlay}:${HUB_PORT}`;
    const text = clientConfig.replace(/^Endpoint = .*$/m, `Endpoint = ${endpoint}`);
    const file = join(this.tmp, `${peer.iface}.conf`);
    writeFileSync(file, text, { mode: 0o600 });
    const stripped = join(this.tmp, `${peer.iface}.wg`);
    try {
      writeFileSync(stripped, await sh(["wg-quick", "strip", file]), { mode: 0o600 });
      await nsRun(peer.ns, ["wg", "setconf", peer.iface, stripped]);
    } finally {
      rmSync(file, { force: true });
      rmSync(stripped, { force: true });
    }
    const address = /^Address = (.+)$/m.exec(text)?.[1];
    const allowed = /^AllowedIPs = (.+)$/m.exec(text)?.[1]?.split(/,\s*/) ?? [];
    if (!address) throw new Error("client config has no Address");
    await nsRun(peer.ns, ["ip", "addr", "replace", address, "dev", peer.iface]);
    await nsRun(peer.ns, ["ip", "link", "set", peer.iface, "up"]);
    for (const net of allowed) await nsRun(peer.ns, ["ip", "route", "replace", net, "dev", peer.iface]);
  }

  /** Pings the hub's tunnel address from a peer: `count` probes every `intervalS`. */
  async ping(peer: LabPeer, count: number, intervalS = 0.1): Promise<PingResult> {
    const p = this.startPing(peer, intervalS, count);
    return p.done;
  }

  /** Provider inputs for a peer on this lab's hub over the local (netns) transport. */
  peerInputs(name: string, address: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name,
      interface: this.hubIf,
      transport: { kind: "local", netns: this.hubNs },
      hubPublicKey: this.hubKeys.publicKey,
      hubEndpoint: "hub.lab.invalid:51820",
      cidr: TUNNEL_CIDR,
      address,
      persistentKeepalive: 25,
      ...extra,
    };
  }

  /** Continuous ping from a peer to the hub (bounded by `maxCount`); `stop()` ends it and returns the tally. */
  startPing(peer: LabPeer, intervalS = 0.02, maxCount = 6000): { stop(): Promise<PingResult>; done: Promise<PingResult> } {
    return this.startPingIn(peer.ns, this.hubTunnelIp, intervalS, maxCount);
  }

  /** Continuous ping from namespace `ns` to `target` (e.g. from the hub to a peer's tunnel address). */
  startPingIn(ns: string, target: string, intervalS = 0.02, maxCount = 6000): { stop(): Promise<PingResult>; done: Promise<PingResult> } {
    const child = spawn("ip", ["netns", "exec", ns, "ping", "-D", "-n", "-i", String(intervalS), "-W", "3", "-c", String(maxCount), target], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.pings.add(child);
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const done = new Promise<PingResult>((resolve) => {
      child.on("close", () => {
        this.pings.delete(child);
        resolve(parsePing(out));
      });
    });
    return {
      done,
      stop: async () => {
        // Let in-flight probes be answered or counted lost. A reply later than 3 s (-W 3) is a
        // loss; a reply delayed by a starved CPU on a loaded CI box is not the tunnel dropping it.
        await sleep(3100);
        child.kill("SIGINT");
        return done;
      },
    };
  }

  /** Pings once per second until a reply arrives (WireGuard re-handshakes on its own timers); returns ms waited. */
  async waitForReply(peer: LabPeer, timeoutMs = 30_000): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if ((await this.ping(peer, 1)).received === 1) return Date.now() - t0;
    }
    throw new Error(`no reply from the hub to ${peer.ns} within ${timeoutMs} ms`);
  }

  async hubDump(): Promise<string> {
    return nsRun(this.hubNs, ["wg", "show", this.hubIf, "dump"]);
  }

  /** Latest handshake (unix s) the hub has with `publicKey`, 0 if none / absent. */
  async latestHandshake(publicKey: string): Promise<number> {
    const line = (await this.hubDump()).split("\n").find((l) => l.startsWith(`${publicKey}\t`));
    return line ? Number(line.split("\t")[4]) : 0;
  }

  /** Kills every wireguard-go and ping this lab started (by pid) and deletes its namespaces. */
  async destroy(): Promise<void> {
    for (const p of this.pings) p.kill("SIGKILL");
    await Promise.all(this.procs.map((p) => stopProcess(p)));
    for (const ns of this.namespaces.reverse()) await sh(["ip", "netns", "del", ns]).catch(() => undefined);
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private async addNs(ns: string): Promise<void> {
    await sh(["ip", "netns", "add", ns]);
    this.namespaces.push(ns);
    await nsRun(ns, ["ip", "link", "set", "lo", "up"]);
  }

  /** Starts `wireguard-go -f <if>` inside `ns` (foreground: the pid we hold is wireguard-go's). */
  async wireguardGo(ns: string, iface: string): Promise<ChildProcess> {
    // A start that dies at once (seen once on a loaded CI box, with nothing on stderr) is retried
    // twice; an interface that never comes up is still an error.
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await this.startWireguardGo(ns, iface);
      } catch (err) {
        last = err;
        if (!String((err as Error).message).includes(" exited")) throw err;
        await sleep(200);
      }
    }
    throw last;
  }

  private async startWireguardGo(ns: string, iface: string): Promise<ChildProcess> {
    const child = spawn("ip", ["netns", "exec", ns, "wireguard-go", "-f", iface], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, WG_PROCESS_FOREGROUND: "1", LOG_LEVEL: "error" },
    });
    this.procs.push(child);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`wireguard-go ${iface} exited (code ${child.exitCode}, signal ${child.signalCode}): ${stderr.trim()}`);
      }
      if (await nsRun(ns, ["wg", "show", iface, "listen-port"]).then(() => true, () => false)) return child;
      await sleep(50);
    }
    throw new Error(`wireguard-go ${iface} did not come up within 5 s`);
  }
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGTERM");
  const t = setTimeout(() => p.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(t);
}

export function parsePing(out: string): PingResult {
  const lines = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from .*?icmp_seq=(\d+)/gm)];
  const replies = lines.map((m) => Math.round(Number(m[1]) * 1000));
  const seqs = new Set(lines.map((m) => Number(m[2])));
  const summary = /(\d+) packets transmitted, (\d+) received/.exec(out);
  const transmitted = summary ? Number(summary[1]) : 0;
  const received = summary ? Number(summary[2]) : replies.length;
  let maxGapMs = 0;
  for (let i = 1; i < replies.length; i++) maxGapMs = Math.max(maxGapMs, replies[i]! - replies[i - 1]!);
  // Lost = probes with no reply although a later probe was answered, plus the tail after the last
  // reply when it is long (an outage that lasts until the stop). A short tail is the probes still
  // in flight when ping was interrupted — on a loaded CI box the RTT can exceed the 10–20 ms interval.
  const maxSeq = Math.max(0, ...seqs);
  let gaps = 0;
  for (let q = 1; q <= maxSeq; q++) if (!seqs.has(q)) gaps++;
  const tail = transmitted - maxSeq;
  const lost = gaps + (tail > IN_FLIGHT_TAIL ? tail : 0);
  return { transmitted, received, lost, replies, maxGapMs };
}

/** Probes after the last reply that still count as in flight when ping is stopped. */
const IN_FLIGHT_TAIL = 5;
