/**
 * The fleet's test lab: a WireGuard hub in its own network namespace and N agents, each a network
 * namespace with a wireguard-go peer of the hub and a real OpenSSH server listening only on the
 * agent's tunnel address — so an agent is reached only through the mesh. Each agent's sshd runs in
 * its own mount and UTS namespaces: its hostname is the agent's name, and the lab's per-agent
 * folder is bind-mounted on one shared path (`root`), so the same `stateDir`/`logDir` config gives
 * every agent its own files. The `fleet` CLI runs inside the hub namespace (as an operator on the
 * hub would). `destroy()` stops every sshd and wireguard-go by pid and deletes the namespaces.
 * Used by test/integration/fleet/ and tools/bench/fleet.bench.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair } from "../../../components/wireguard/keys.ts";
import type { PeerOutputs } from "../../../components/wireguard/peer-schema.ts";
import { HUB_TUNNEL_IP, type LabPeer, NetnsLab, nsRun, sh } from "../wireguard/netns-lab.ts";
import { SSHD_KEY_ONLY } from "../wireguard/sshd.ts";

export interface Agent {
  name: string;
  address: string;
  peer: LabPeer;
  publicKey: string;
  /** The agent's own folder (bind-mounted on `lab.root` inside its sshd's mount namespace). */
  dir: string;
  sshd?: ChildProcess;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROJECT = join(import.meta.dirname, "../../..");

export class AgentLab {
  readonly wg = new NetnsLab();
  readonly agents: Agent[] = [];
  /** The path every agent sees its own folder at. */
  readonly root: string;
  /** The fleet's SSH key (path, for FLEET_SSH_KEY). */
  readonly keyPath: string;
  private readonly sshds = new Set<ChildProcess>();

  constructor() {
    this.root = join(this.wg.tmp, "agent-root");
    this.keyPath = join(this.wg.tmp, "fleet_key");
  }

  async start(count: number): Promise<this> {
    await this.wg.start();
    mkdirSync(this.root, { recursive: true });
    await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fleet", "-f", this.keyPath]);
    writeFileSync(join(this.wg.tmp, "authorized_keys"), readFileSync(`${this.keyPath}.pub`), { mode: 0o600 });
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    for (let i = 0; i < count; i++) await this.addAgent();
    await Promise.all(this.agents.map((a) => this.startSshd(a)));
    return this;
  }

  /** `agent-01` at 10.231.100.11, …: a peer namespace joined to the hub, its sshd not yet started. */
  private async addAgent(): Promise<Agent> {
    const peer = await this.wg.addPeerNs();
    const name = `agent-${String(peer.index).padStart(2, "0")}`;
    const address = `10.231.100.${10 + peer.index}`;
    const keys = generateKeyPair();
    await nsRun(this.wg.hubNs, ["wg", "set", this.wg.hubIf, "peer", keys.publicKey, "allowed-ips", `${address}/32`]);
    await this.wg.applyClientConfig(
      peer,
      [
        "[Interface]",
        `PrivateKey = ${keys.privateKey}`,
        `Address = ${address}/24`,
        "",
        "[Peer]",
        `PublicKey = ${this.wg.hubKeys.publicKey}`,
        "Endpoint = hub.lab.invalid:51820",
        "AllowedIPs = 10.231.100.0/24",
        "PersistentKeepalive = 25",
        "",
      ].join("\n"),
    );
    const dir = join(this.wg.tmp, name);
    for (const d of ["state", "log", "etc"]) mkdirSync(join(dir, d), { recursive: true });
    await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, "etc", "host")]);
    const agent: Agent = { name, address, peer, publicKey: keys.publicKey, dir };
    this.agents.push(agent);
    return agent;
  }

  /** Starts (or restarts) the agent's sshd on its tunnel address, and waits until the hub reaches it. */
  async startSshd(a: Agent): Promise<void> {
    const cfg = join(a.dir, "etc", "sshd_config");
    writeFileSync(
      cfg,
      [
        "Port 22",
        `ListenAddress ${a.address}`,
        `HostKey ${join(a.dir, "etc", "host")}`,
        `PidFile ${join(a.dir, "etc", "sshd.pid")}`,
        `AuthorizedKeysFile ${join(this.wg.tmp, "authorized_keys")}`,
        ...SSHD_KEY_ONLY,
        "MaxStartups 100",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const script = `hostname ${a.name} && mount --bind ${a.dir} ${this.root} && exec /usr/sbin/sshd -D -e -f ${cfg}`;
    const child = spawn("ip", ["netns", "exec", a.peer.ns, "unshare", "--mount", "--uts", "--propagation", "private", "sh", "-c", script], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    this.sshds.add(child);
    a.sshd = child;
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`sshd of ${a.name} exited: ${stderr.trim()}`);
      const open = await nsRun(this.wg.hubNs, ["bash", "-c", `exec 3<>/dev/tcp/${a.address}/22`], { timeoutMs: 3000 }).then(
        () => true,
        () => false,
      );
      if (open) return;
      await sleep(100);
    }
    throw new Error(`sshd of ${a.name} is not reachable through the mesh within 15 s: ${stderr.trim()}`);
  }

  /** Takes the agent's underlay link down (its tunnel goes with it) or up again. */
  async link(a: Agent, state: "up" | "down"): Promise<void> {
    await nsRun(a.peer.ns, ["ip", "link", "set", `vp${a.peer.index}${this.wg.id}`, state]);
  }

  /** A fleet inventory for these agents (the CLI runs in the hub namespace, so the hub is local). */
  inventory(fleet: Record<string, unknown>, agents: readonly Agent[] = this.agents): Record<string, unknown> {
    return {
      ...fleet,
      stateDir: join(this.root, "state"),
      logDir: join(this.root, "log"),
      hosts: agents.map((a) => ({ name: a.name, address: a.address })),
      hub: { interface: this.wg.hubIf, transport: { kind: "local" } },
    };
  }

  /** Runs the `fleet` CLI inside the hub namespace. */
  fleet(args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
    const t0 = Date.now();
    return new Promise((resolve) => {
      const child = spawn("ip", ["netns", "exec", this.wg.hubNs, process.execPath, join(PROJECT, "tools/fleet/bin.js"), ...args], {
        cwd: PROJECT,
        env: { ...process.env, FLEET_SSH_KEY: this.keyPath, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - t0 });
      });
    });
  }

  /** Where every agent keeps its wg-quick config (its own `<dir>/wg`, seen at `<root>/wg`). */
  get wgConfigDir(): string {
    return join(this.root, "wg");
  }

  /** The agent's config file as the test sees it. */
  agentConfigFile(a: Agent): string {
    return join(a.dir, "wg", `${a.peer.iface}.conf`);
  }

  /** WireGuardPeer inputs for agent `a` with the ssh delivery path of the fleet (root, the lab's key). */
  peerInputs(a: Agent, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return this.wg.peerInputs(a.name, a.address, {
      delivery: { kind: "ssh", host: a.address, user: "root", interface: a.peer.iface, configDir: this.wgConfigDir, connectTimeoutSeconds: 5 },
      deliveryPrivateKey: readFileSync(this.keyPath, "utf8"),
      handshakeTimeoutSeconds: 10,
      ...extra,
    });
  }

  /**
   * Hands agent `a`'s key to the WireGuardPeer provider (as a stack would own it): the provider
   * creates a generated key at the agent's address, the agent runs it and keeps its config file
   * (0600), the lab's own key is removed from the hub.
   */
  async manageKey(a: Agent, extra: Record<string, unknown> = {}): Promise<ManagedPeer> {
    mkdirSync(join(a.dir, "wg"), { recursive: true, mode: 0o700 });
    const checked = await peerCall<{ inputs: Record<string, unknown> }>(this, "check", {}, this.peerInputs(a, extra));
    const created = await peerCall<{ id: string; outs: ManagedPeer["outs"] }>(this, "create", checked.inputs);
    await this.wg.applyClientConfig(a.peer, created.outs.clientConfig);
    writeFileSync(this.agentConfigFile(a), created.outs.clientConfig, { mode: 0o600 });
    await nsRun(this.wg.hubNs, ["wg", "set", this.wg.hubIf, "peer", a.publicKey, "remove"]);
    await this.wg.waitForReply(a.peer, 20_000);
    return { id: created.id, outs: created.outs, inputs: checked.inputs };
  }

  /** Writes a file 0600 in the lab's private folder and returns its path. */
  file(name: string, content: string | Buffer): string {
    const p = join(this.wg.tmp, name);
    writeFileSync(p, content, { mode: 0o600 });
    chmodSync(p, 0o600);
    return p;
  }

  async destroy(): Promise<void> {
    await Promise.all(
      [...this.sshds].map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGTERM");
        const t = setTimeout(() => c.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(t);
      }),
    );
    await this.wg.destroy();
  }
}

export { HUB_TUNNEL_IP };

export interface ProviderReply {
  ok: boolean;
  result?: {
    id?: string;
    outs?: Record<string, unknown>;
    props?: Record<string, unknown>;
    inputs?: Record<string, unknown>;
    changes?: boolean;
    failures?: { property: string; reason: string }[];
  };
  error?: string;
}

/** One FleetRollout provider call run inside the hub namespace (test/integration/fleet/impl-driver.ts). */
export function providerCall(lab: AgentLab, op: string, ...args: unknown[]): Promise<ProviderReply> {
  return implCall(lab, "rollout", op, args);
}

/** One WireGuardPeer provider call run inside the hub namespace (key rotation over the mesh). */
export function peerProviderCall(lab: AgentLab, op: string, ...args: unknown[]): Promise<ProviderReply> {
  return implCall(lab, "peer", op, args);
}

/** A peer provider call that must succeed (its error thrown otherwise). */
export async function peerCall<T>(lab: AgentLab, op: string, ...args: unknown[]): Promise<T> {
  const r = await peerProviderCall(lab, op, ...args);
  if (!r.ok) throw new Error(r.error);
  return r.result as T;
}

/** An agent's WireGuardPeer as the provider left it. */
export interface ManagedPeer {
  id: string;
  outs: PeerOutputs;
  inputs: Record<string, unknown>;
}

async function implCall(lab: AgentLab, impl: "rollout" | "peer", op: string, args: unknown[]): Promise<ProviderReply> {
  const out = await nsRun(lab.wg.hubNs, [process.execPath, "--import", "tsx", join(PROJECT, "test/integration/fleet/impl-driver.ts")], {
    stdin: JSON.stringify({ impl, op, args }),
    timeoutMs: 300_000,
  });
  return JSON.parse(out) as ProviderReply;
}
