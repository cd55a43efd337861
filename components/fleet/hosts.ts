import { z } from "zod";
import { BATCH_RE } from "./settings.ts";

/**
 * The fleet's hosts: the `agent` peers of the WireGuard mesh, reached at their tunnel addresses.
 * In the stack they come from the peers (filtered by `labfleet:fleet.tags`); in the `fleet`
 * CLI's inventory they are listed as `hosts`.
 */
export const FleetHost = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes").describe("the agent's peer name"),
  address: z.ipv4().describe("the agent's tunnel address"),
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Linux user name").optional().describe("SSH user of this host (default: ssh.user)"),
  publicKey: z.string().optional().describe("the agent's WireGuard public key, to read its handshake age on the hub"),
});
export type FleetHost = z.output<typeof FleetHost>;

/** Unique names and addresses; issues go to `ctx` under `path`. */
export function refineHosts(hosts: readonly FleetHost[], ctx: z.RefinementCtx, path: (string | number)[]): void {
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  hosts.forEach((h, i) => {
    if (names.has(h.name)) ctx.addIssue({ code: "custom", path: [...path, i, "name"], message: `host ${JSON.stringify(h.name)} is also listed at ${path.join(".")}[${names.get(h.name)}]` });
    else names.set(h.name, i);
    if (addresses.has(h.address)) ctx.addIssue({ code: "custom", path: [...path, i, "address"], message: `address ${h.address} is also used at ${path.join(".")}[${addresses.get(h.address)}]` });
    else addresses.set(h.address, i);
  });
}

/** A peer of the mesh as the fleet sees it. */
export interface MeshPeer {
  name: string;
  kind: string;
  address: string;
  tags?: readonly string[];
  publicKey?: string;
}

/** The `agent` peers carrying every tag in `tags`, as hosts, in name order. */
export function agentHosts(peers: readonly MeshPeer[], tags: readonly string[]): FleetHost[] {
  return peers
    .filter((p) => p.kind === "agent" && tags.every((t) => p.tags?.includes(t)))
    .map((p) => ({ name: p.name, address: p.address, ...(p.publicKey ? { publicKey: p.publicKey } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Hosts per batch for `size` (count, or share rounded up) of `total` hosts; at least 1. */
export function batchCount(size: number | string, total: number): number {
  if (typeof size === "number") return Math.max(1, size);
  const m = BATCH_RE.exec(size);
  if (!m) throw new Error(`batch size ${JSON.stringify(size)} is not a count or a share`);
  const n = Number(m[1]);
  return m[2] === "%" ? Math.max(1, Math.ceil((total * n) / 100)) : n;
}

/** The hosts split into batches, in order. */
export function batches<T>(hosts: readonly T[], size: number | string): T[][] {
  const per = batchCount(size, hosts.length);
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += per) out.push(hosts.slice(i, i + per));
  return out;
}
