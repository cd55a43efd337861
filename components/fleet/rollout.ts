import { AgentSession, type AgentAccess, checkHealth, hostLabel, lastLine } from "./agent.ts";
import { type FleetHost, batches } from "./hosts.ts";
import type { FleetSettings } from "./settings.ts";

/**
 * The rolling update, shared by the `AgentFleet` component (its `FleetRollout` resource) and
 * `fleet rollout`: batches in order, the hosts of a batch in parallel; each host gets the
 * package (checked against its sha256 on arrival), the install command, the restart and the
 * health gate; its version is recorded only once healthy. A batch starts only when the failures
 * so far are within `maxFailures`; one more stops the rollout, names the failed hosts and (with
 * `rollback`) reinstalls the previous version on the failed batch's hosts. A host already at the
 * version is only health-checked, so running a rollout again does no work. docs/design/fleet.md.
 */

export type RolloutSettings = Pick<FleetSettings, "install" | "health" | "batch" | "maxFailures" | "pauseSeconds" | "rollback" | "stateDir"> & {
  package: { sha256: string; version: string };
};

export type HostStatus = "updated" | "unchanged" | "failed" | "skipped";

export interface HostResult {
  name: string;
  address: string;
  /** 1-based batch number. */
  batch: number;
  status: HostStatus;
  /** Version before the rollout (null: none recorded, or the host was not reached). */
  from: string | null;
  /** Version the host reports after the rollout (and any rollback). */
  version: string | null;
  /** What failed, for failed hosts. */
  detail?: string;
  /** Set when the host was rolled back to `from`; false when the rollback itself failed. */
  rolledBack?: boolean;
  seconds: number;
}

export interface RolloutResult {
  ok: boolean;
  version: string;
  batches: number;
  /** Batch at which the rollout stopped (1-based), when it stopped. */
  stoppedAtBatch?: number;
  failed: string[];
  hosts: HostResult[];
}

export interface RolloutOptions {
  /** Progress lines (one per host and batch); never carries secrets. */
  onEvent?: (line: string) => void;
}

/** Bound of one install or restart command on a host. */
const COMMAND_TIMEOUT_MS = 600_000;
/** Bound of the package upload (per host). */
const UPLOAD_TIMEOUT_MS = 300_000;
const SHORT_MS = 30_000;

/** Environment of every command the fleet runs on an agent. */
export function agentVars(s: Pick<RolloutSettings, "stateDir" | "install">, version: string, sha256 = ""): Record<string, string> {
  return {
    FLEET_STATE_DIR: s.stateDir,
    FLEET_VERSION: version,
    FLEET_PACKAGE: `${s.stateDir}/packages/${version}.pkg`,
    FLEET_SERVICE: s.install.service,
    ...(sha256 ? { FLEET_SHA256: sha256 } : {}),
  };
}

/** Reads the recorded version (empty output = none). */
export const READ_VERSION = 'cat "$FLEET_STATE_DIR/version" 2>/dev/null || true';

/** Receives the package on stdin and keeps it only when its sha256 matches. */
const STAGE = [
  "set -e",
  "umask 022",
  'mkdir -p "$FLEET_STATE_DIR/packages"',
  'cat > "$FLEET_PACKAGE.part"',
  'if ! printf "%s  %s\\n" "$FLEET_SHA256" "$FLEET_PACKAGE.part" | sha256sum -c --status; then rm -f "$FLEET_PACKAGE.part"; echo "package sha256 mismatch on arrival" >&2; exit 3; fi',
  'mv "$FLEET_PACKAGE.part" "$FLEET_PACKAGE"',
].join("\n");

/** Whether the package of `$FLEET_VERSION` is on the host with the right sha256. */
const HAS_PACKAGE = 'printf "%s  %s\\n" "$FLEET_SHA256" "$FLEET_PACKAGE" | sha256sum -c --status 2>/dev/null';

/** Records `$FLEET_VERSION` as installed and keeps only its package and the previous one. */
const RECORD = [
  "set -e",
  'cd "$FLEET_STATE_DIR"',
  'prev=$(cat version 2>/dev/null || true)',
  'printf "%s\\n" "$FLEET_VERSION" > version.tmp',
  "mv version.tmp version",
  'for f in packages/*.pkg; do case "$f" in "packages/$FLEET_VERSION.pkg"|"packages/$prev.pkg") ;; *) rm -f "$f" ;; esac; done',
].join("\n");

class HostFailure extends Error {}

async function must(s: AgentSession, command: string, vars: Record<string, string>, what: string, timeoutMs: number, stdin?: Buffer): Promise<string> {
  const r = await s.run(command, { vars, stdin, timeoutMs, what });
  if (r.code !== 0) throw new HostFailure(`${what} exited ${r.code ?? r.signal}${lastLine(r.stderr) ? `: ${lastLine(r.stderr)}` : ""}`);
  return r.stdout;
}

/** Install, restart and health-check `version` (its package already on the host); records it when healthy. */
async function installVersion(s: AgentSession, st: RolloutSettings, version: string): Promise<void> {
  const vars = agentVars(st, version);
  await must(s, st.install.command, vars, "the install command", COMMAND_TIMEOUT_MS);
  await must(s, st.install.restartCommand, vars, "the restart command", COMMAND_TIMEOUT_MS);
  const health = await checkHealth(s, st.health, vars);
  if (!health.healthy) throw new HostFailure(health.detail);
  await must(s, RECORD, vars, "recording the version", SHORT_MS);
}

async function updateHost(host: FleetHost, batch: number, st: RolloutSettings, access: AgentAccess, pkg: Buffer): Promise<HostResult> {
  const t0 = Date.now();
  const target = st.package.version;
  const base = { name: host.name, address: host.address, batch };
  let from: string | null = null;
  let s: AgentSession | undefined;
  try {
    s = await AgentSession.open(host, access);
    const vars = agentVars(st, target, st.package.sha256);
    from = (await must(s, READ_VERSION, vars, "reading the version", SHORT_MS)).trim() || null;
    if (from === target && (await s.run(HAS_PACKAGE, { vars, timeoutMs: SHORT_MS, what: "checking the package" })).code === 0) {
      const health = await checkHealth(s, st.health, vars);
      if (!health.healthy) throw new HostFailure(health.detail);
      return { ...base, status: "unchanged", from, version: target, seconds: secs(t0) };
    }
    await must(s, STAGE, vars, "the package upload", UPLOAD_TIMEOUT_MS, pkg);
    await installVersion(s, st, target);
    return { ...base, status: "updated", from, version: target, seconds: secs(t0) };
  } catch (err) {
    return { ...base, status: "failed", from, version: from, detail: (err as Error).message, seconds: secs(t0) };
  } finally {
    s?.close();
  }
}

/** Reinstalls `from` (its package kept on the host) on a host of the failed batch. */
async function rollBack(host: FleetHost, r: HostResult, st: RolloutSettings, access: AgentAccess): Promise<HostResult> {
  if (r.from === null || r.status === "unchanged" || r.from === st.package.version) return r;
  let s: AgentSession | undefined;
  try {
    s = await AgentSession.open(host, access);
    await installVersion(s, st, r.from);
    return { ...r, version: r.from, rolledBack: true };
  } catch (err) {
    return { ...r, rolledBack: false, detail: [r.detail, `rollback to ${r.from} failed: ${(err as Error).message}`].filter(Boolean).join("; ") };
  } finally {
    s?.close();
  }
}

const secs = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;

export async function rollout(hosts: readonly FleetHost[], st: RolloutSettings, access: AgentAccess, pkg: Buffer, opts: RolloutOptions = {}): Promise<RolloutResult> {
  const say = opts.onEvent ?? (() => undefined);
  const plan = batches(hosts, st.batch);
  const results: HostResult[] = [];
  let stoppedAtBatch: number | undefined;
  for (const [i, batch] of plan.entries()) {
    const n = i + 1;
    if (i > 0 && st.pauseSeconds > 0) await new Promise((r) => setTimeout(r, st.pauseSeconds * 1000));
    say(`batch ${n}/${plan.length}: ${batch.map((h) => h.name).join(", ")}`);
    let done = await Promise.all(batch.map((h) => updateHost(h, n, st, access, pkg)));
    for (const r of done) say(`  ${r.name}: ${r.status}${r.detail ? ` (${r.detail})` : ""} in ${r.seconds}s`);
    const failures = results.filter((r) => r.status === "failed").length + done.filter((r) => r.status === "failed").length;
    if (failures > st.maxFailures) {
      stoppedAtBatch = n;
      if (st.rollback) {
        done = await Promise.all(done.map((r, j) => rollBack(batch[j]!, r, st, access)));
        for (const r of done) if (r.rolledBack !== undefined) say(`  ${r.name}: rollback to ${r.from} ${r.rolledBack ? "done" : "failed"}`);
      }
      results.push(...done);
      for (const later of plan.slice(i + 1).flat()) {
        results.push({ name: later.name, address: later.address, batch: plan.findIndex((b) => b.includes(later)) + 1, status: "skipped", from: null, version: null, seconds: 0 });
      }
      break;
    }
    results.push(...done);
  }
  const failed = results.filter((r) => r.status === "failed").map((r) => r.name);
  const ok = results.every((r) => r.status === "updated" || r.status === "unchanged");
  return { ok, version: st.package.version, batches: plan.length, ...(stoppedAtBatch ? { stoppedAtBatch } : {}), failed, hosts: results };
}

/** One line naming what went wrong: the failed hosts and why, where it stopped, what was rolled back. */
export function rolloutFailure(r: RolloutResult, hosts: readonly FleetHost[], maxFailures: number): string {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const failed = r.hosts.filter((h) => h.status === "failed").map((h) => `${hostLabel(byName.get(h.name) ?? h)}: ${h.detail ?? "failed"}`);
  const stop = r.stoppedAtBatch ? `stopped after batch ${r.stoppedAtBatch}/${r.batches} (maxFailures ${maxFailures})` : "finished";
  const back = r.hosts.filter((h) => h.rolledBack === true).map((h) => `${h.name} → ${h.from}`);
  const skipped = r.hosts.filter((h) => h.status === "skipped").length;
  return [
    `rollout of ${r.version} ${stop}; ${r.failed.length} failed host(s): ${failed.join("; ")}`,
    back.length ? `rolled back: ${back.join(", ")}` : "",
    skipped ? `${skipped} host(s) not started` : "",
  ]
    .filter(Boolean)
    .join("; ");
}
