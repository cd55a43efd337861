/**
 * Runs one call of a provider (as Pulumi's dynamic-provider host would, through `hosted`) in this
 * process: `{ "impl": "rollout" | "peer", "op": "create", "args": [...] }` on stdin,
 * `{ ok, result | error }` on stdout. Started inside the hub's network namespace by the fleet
 * tests (FleetRollout; WireGuardPeer for key rotation), since the agents are reachable only
 * through the mesh.
 */
import { readFileSync } from "node:fs";
import * as rollout from "../../../components/fleet/rollout-impl.ts";
import * as peer from "../../../components/wireguard/peer-impl.ts";
import { hosted } from "../wireguard/host.ts";

const { impl = "rollout", op, args } = JSON.parse(readFileSync(0, "utf8")) as { impl?: "rollout" | "peer"; op: string; args: unknown[] };
const provider = hosted(impl === "peer" ? peer : rollout) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
try {
  const result = await provider[op]!(...args);
  process.stdout.write(JSON.stringify({ ok: true, result }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: (err as Error).message }));
}
