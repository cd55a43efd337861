import { parseDump } from "../wireguard/dump.ts";
import { type TransportSpec, withTransport } from "../wireguard/transport.ts";
import { type AgentAccess, AgentSession } from "./agent.ts";
import type { FleetHost } from "./hosts.ts";

/**
 * `fleet status`: every host probed at once over SSH through the mesh (hostname, uptime, user,
 * free disk, agent version) and the seconds since its last WireGuard handshake as the hub sees
 * it. Each probe and the hub read are bounded by the same timeout, so the whole status takes
 * about that long at most, however many hosts are down.
 */

export interface HostStatus {
  name: string;
  address: string;
  reachable: boolean;
  hostname: string | null;
  uptime_s: number | null;
  user: string | null;
  disk_free_bytes: number | null;
  agent_version: string | null;
  /** Seconds since the hub's latest handshake with this peer; null = never, or the hub was not read. */
  handshake_age_s: number | null;
  /** Why the host is not reachable. */
  error?: string;
}

/** Where the hub's `wg` is, to read handshake ages. */
export interface HubAccess {
  interface: string;
  transport: TransportSpec;
  sshPrivateKey?: string;
}

const PROBE = [
  "hostname",
  "cut -d' ' -f1 /proc/uptime",
  "id -un",
  'df -P -B1 "$(test -d "$FLEET_STATE_DIR" && echo "$FLEET_STATE_DIR" || echo /)" | awk \'NR==2{print $4}\'',
  'cat "$FLEET_STATE_DIR/version" 2>/dev/null || true',
].join("; ");

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)}s`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

async function probe(host: FleetHost, access: AgentAccess, stateDir: string, timeoutMs: number): Promise<Omit<HostStatus, "handshake_age_s">> {
  let s: AgentSession | undefined;
  const open = AgentSession.open(host, { ...access, connectTimeoutSeconds: Math.max(1, Math.min(access.connectTimeoutSeconds, timeoutMs / 1000)) });
  try {
    s = await open;
    const r = await s.run(PROBE, { vars: { FLEET_STATE_DIR: stateDir }, timeoutMs, what: "the status probe" });
    if (r.code !== 0) throw new Error(`status probe exited ${r.code ?? r.signal}`);
    const [hostname, uptime, user, free, version] = r.stdout.split("\n").map((l) => l.trim());
    const num = (v: string | undefined) => (v && Number.isFinite(Number(v)) ? Number(v) : null);
    const up = num(uptime);
    return {
      name: host.name,
      address: host.address,
      reachable: true,
      hostname: hostname || null,
      uptime_s: up === null ? null : Math.floor(up),
      user: user || null,
      disk_free_bytes: num(free),
      agent_version: version || null,
    };
  } finally {
    s?.close();
    // A connect still pending when the bound hit is closed once it settles.
    open.then((late) => late !== s && late.close()).catch(() => undefined);
  }
}

/** Seconds since the latest handshake per tunnel address (null = never), as the hub shows it. */
export async function handshakeAges(hub: HubAccess, nowS = Date.now() / 1000): Promise<Map<string, number | null>> {
  const dump = parseDump(await withTransport(hub.transport, hub.sshPrivateKey, (t) => t.run(["wg", "show", hub.interface, "dump"])));
  const ages = new Map<string, number | null>();
  for (const p of dump.peers) {
    for (const ip of p.allowedIps) {
      if (ip.endsWith("/32")) ages.set(ip.slice(0, -3), p.latestHandshake === 0 ? null : Math.max(0, Math.round(nowS - p.latestHandshake)));
    }
  }
  return ages;
}

export interface StatusResult {
  ok: boolean;
  /** Wall time of the probes and the hub read (ms). */
  elapsed_ms: number;
  hosts: HostStatus[];
  /** Why the hub's handshake ages are missing, when they are. */
  hubError?: string;
}

export async function fleetStatus(hosts: readonly FleetHost[], access: AgentAccess, opts: { stateDir: string; timeoutSeconds: number; hub?: HubAccess }): Promise<StatusResult> {
  const ms = opts.timeoutSeconds * 1000;
  const t0 = Date.now();
  const hubRead = opts.hub ? bounded(handshakeAges(opts.hub), ms, "reading the hub's handshakes").then((m) => ({ m }), (err: Error) => ({ err: err.message })) : Promise.resolve({ m: new Map<string, number | null>() });
  const probes = hosts.map((h) =>
    bounded(probe(h, access, opts.stateDir, ms), ms, `${h.name}`).catch((err: Error) => ({
      name: h.name,
      address: h.address,
      reachable: false,
      hostname: null,
      uptime_s: null,
      user: null,
      disk_free_bytes: null,
      agent_version: null,
      error: err.message,
    })),
  );
  const [hub, results] = await Promise.all([hubRead, Promise.all(probes)]);
  const ages = "m" in hub ? hub.m : new Map<string, number | null>();
  const out: HostStatus[] = results.map((r) => ({ ...r, handshake_age_s: ages.get(r.address) ?? null }));
  return { ok: out.every((h) => h.reachable), elapsed_ms: Date.now() - t0, hosts: out, ...("err" in hub ? { hubError: hub.err } : {}) };
}
