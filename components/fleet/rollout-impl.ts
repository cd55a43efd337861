import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { formatPath } from "../../hardware/schema/key-path.ts";
import { checkInputs, plain, withoutProvider } from "../dynamic-inputs.ts";
import type { AgentAccess } from "./agent.ts";
import { FleetHost, refineHosts } from "./hosts.ts";
import { PackageError, loadPackage } from "./package.ts";
import { type RolloutResult, rollout, rolloutFailure } from "./rollout.ts";
import { FleetBody } from "./settings.ts";
import { fleetStatus } from "./status.ts";

/**
 * `FleetRollout` provider logic (driven directly by tests; `rollout-resource.ts` only delegates
 * here): the fleet's rolling update (`rollout.ts`, the code `fleet rollout` runs) as one
 * resource. Create and update roll out; nothing changed = no diff = nothing runs. `read` asks
 * every reachable host for its version, so a host found at another version is drift and the
 * next `up` rolls it out again. Delete leaves the agents as they are (uninstalling is not the
 * fleet's to do). The SSH key is a secret input and never appears in messages.
 */

type Props = Record<string, unknown>;

export const RolloutInputs = FleetBody.pick({
  package: true,
  install: true,
  health: true,
  batch: true,
  maxFailures: true,
  pauseSeconds: true,
  rollback: true,
  ssh: true,
  stateDir: true,
})
  .extend({
    hosts: z.array(FleetHost).describe("the agents to roll out to"),
    privateKey: z
      .string({ error: "required: the agents' SSH private key (secret labfleet:fleetSshKey)" })
      .includes("PRIVATE KEY", { message: "must be a PEM/OpenSSH private key" }),
  })
  .superRefine((v, ctx) => {
    if (Array.isArray(v.hosts)) refineHosts(v.hosts, ctx, ["hosts"]);
  });
export type RolloutSpec = z.output<typeof RolloutInputs>;

export interface RolloutOutputs extends RolloutSpec {
  /** Version each host reported after the last rollout (or the last refresh). */
  hostVersions: Record<string, string | null>;
  rolledOutAt: string;
}

/** Inputs that only change how the fleet is reached or judged; a change is stored, nothing runs. */
const QUIET_KEYS = ["privateKey", "ssh", "pauseSeconds", "maxFailures", "rollback", "batch"] as const;

export async function check(_olds: Props, news: Props) {
  const checked = checkInputs(RolloutInputs, withoutProvider(news));
  if ("failures" in checked) return checked;
  const spec = checked.inputs as unknown as RolloutSpec;
  if (spec.package?.source?.startsWith("/")) {
    try {
      await loadPackage(spec.package);
    } catch (err) {
      if (!(err instanceof PackageError)) throw err;
      return { failures: [{ property: `package.${err.key}`, reason: `package.${err.key}: ${err.message}` }] };
    }
  }
  return checked;
}

function strict(props: Props): RolloutSpec {
  const r = RolloutInputs.safeParse(pick(withoutProvider(props)));
  if (r.success) return r.data;
  throw new Error(`invalid FleetRollout inputs: ${r.error.issues.map((i) => `${formatPath(i.path) || "(inputs)"}: ${i.message}`).join("; ")}`);
}

const SPEC_KEYS = ["package", "install", "health", "batch", "maxFailures", "pauseSeconds", "rollback", "ssh", "stateDir", "hosts", "privateKey"] as const;

function pick(props: Props): Props {
  const out: Props = {};
  for (const k of SPEC_KEYS) if (props[k] !== undefined) out[k] = props[k];
  return out;
}

const access = (s: RolloutSpec): AgentAccess => ({ user: s.ssh.user, port: s.ssh.port, privateKey: s.privateKey, connectTimeoutSeconds: s.ssh.connectTimeoutSeconds });

/** A host whose recorded version is not the package's (drift found by `read`), or a new host. */
function behind(olds: Props, news: Props): boolean {
  const versions = (olds.hostVersions ?? {}) as Record<string, string | null>;
  const want = (news.package as { version?: unknown } | undefined)?.version;
  const hosts = (news.hosts ?? []) as { name: string }[];
  return hosts.some((h) => versions[h.name] !== want);
}

/** `news` with defaults applied when they are valid and known (as check returns them). */
function normalized(news: Props): Props {
  const n = pick(withoutProvider(news));
  const r = RolloutInputs.safeParse(n);
  return r.success ? plain(r.data as unknown as Props) : n;
}

export async function diff(_id: string, olds: Props, news: Props) {
  const o = pick(olds);
  const n = normalized(news);
  const changed = SPEC_KEYS.filter((k) => !isDeepStrictEqual(o[k] ?? null, n[k] ?? null));
  const drift = Array.isArray(n.hosts) && behind(olds, n);
  return { changes: changed.length > 0 || drift, replaces: [], deleteBeforeReplace: false };
}

async function run(spec: RolloutSpec): Promise<RolloutResult> {
  const pkg = await loadPackage(spec.package);
  const r = await rollout(spec.hosts, spec, access(spec), pkg);
  if (!r.ok) throw new Error(rolloutFailure(r, spec.hosts, spec.maxFailures));
  return r;
}

function outputs(spec: RolloutSpec, r: RolloutResult | null, olds: Props): Props {
  const versions: Record<string, string | null> = r ? Object.fromEntries(r.hosts.map((h) => [h.name, h.version])) : ((olds.hostVersions ?? {}) as Record<string, string | null>);
  const kept = Object.fromEntries(spec.hosts.map((h) => [h.name, versions[h.name] ?? null]));
  const out: RolloutOutputs = { ...spec, hostVersions: kept, rolledOutAt: r ? new Date().toISOString() : String(olds.rolledOutAt ?? "") };
  return plain(out) as unknown as Props;
}

export async function create(inputs: Props) {
  const spec = strict(inputs);
  const r = await run(spec);
  return { id: `fleet-${randomBytes(4).toString("hex")}`, outs: outputs(spec, r, {}) };
}

export async function update(_id: string, olds: Props, news: Props) {
  const spec = strict(news);
  const o = pick(olds);
  const n = pick(plain(spec) as unknown as Props);
  const needsRun = SPEC_KEYS.some((k) => !(QUIET_KEYS as readonly string[]).includes(k) && !isDeepStrictEqual(o[k] ?? null, n[k] ?? null)) || behind(olds, n);
  return { outs: outputs(spec, needsRun ? await run(spec) : null, olds) };
}

/** Asks every host for its version (bounded); an unreachable host keeps its stored version. */
export async function read(id: string, props?: Props) {
  const p = withoutProvider(props ?? {});
  const parsed = RolloutInputs.safeParse(pick(p));
  if (!parsed.success) return { id, props: plain(p), inputs: plain(pick(p)) };
  const spec = parsed.data;
  const status = await fleetStatus(spec.hosts, access(spec), { stateDir: spec.stateDir, timeoutSeconds: spec.ssh.connectTimeoutSeconds });
  const versions = { ...((p.hostVersions ?? {}) as Record<string, string | null>) };
  for (const h of status.hosts) if (h.reachable) versions[h.name] = h.agent_version;
  return { id, props: plain({ ...p, hostVersions: versions }), inputs: plain(pick(p)) };
}

/** Leaves the agents running what they run. */
export async function remove(_id: string, _props: Props): Promise<void> {}
export { remove as delete };
