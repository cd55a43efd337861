/**
 * Runs one call of the FleetRollout provider (as Pulumi's dynamic-provider host would, through
 * `hosted`) in this process: `{ "op": "create", "args": [...] }` on stdin, `{ ok, result | error }`
 * on stdout. Started inside the hub's network namespace by fleet-provider.test.ts, since the
 * agents are reachable only through the mesh.
 */
import { readFileSync } from "node:fs";
import * as impl from "../../../components/fleet/rollout-impl.ts";
import { hosted } from "../wireguard/host.ts";

const provider = hosted(impl) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
const { op, args } = JSON.parse(readFileSync(0, "utf8")) as { op: string; args: unknown[] };
try {
  const result = await provider[op]!(...args);
  process.stdout.write(JSON.stringify({ ok: true, result }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: (err as Error).message }));
}
