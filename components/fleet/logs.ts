import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type AgentAccess, AgentSession, lastLine } from "./agent.ts";
import type { FleetHost } from "./hosts.ts";
import { sha256Hex } from "./package.ts";

/**
 * `fleet collect-logs`: every host's audit logs (the files under `logDir`, optionally only those
 * changed within `--since`) pulled at once into `<out>/<host>/…`, and `<out>/manifest.json`
 * listing per host its status and files (path, bytes, sha256 of what was written here). A host
 * that cannot be reached is listed as `missing` with the reason, never left out. Files are 0600
 * in 0700 folders (audit logs are the lab's, not for every local user).
 */

export interface LogFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface HostLogs {
  name: string;
  address: string;
  status: "ok" | "missing";
  files: LogFile[];
  error?: string;
}

export interface LogManifest {
  collected_at: string;
  log_dir: string;
  since_s: number | null;
  hosts: HostLogs[];
}

const LIST = 'test -d "$FLEET_LOG_DIR" || exit 0; cd "$FLEET_LOG_DIR" && find . -type f $FLEET_FIND_AGE -printf "%P\\t%s\\n"';
const READ = 'base64 -w0 -- "$FLEET_LOG_DIR/$FLEET_FILE"';
const TIMEOUT_MS = 120_000;

async function hostLogs(host: FleetHost, access: AgentAccess, logDir: string, sinceS: number | null, out: string): Promise<HostLogs> {
  const base = { name: host.name, address: host.address };
  let s: AgentSession | undefined;
  try {
    s = await AgentSession.open(host, access);
    const vars = { FLEET_LOG_DIR: logDir, FLEET_FIND_AGE: sinceS === null ? "" : `-mmin -${Math.max(1, Math.ceil(sinceS / 60))}` };
    const listed = await s.run(LIST, { vars, timeoutMs: TIMEOUT_MS, what: "listing the logs" });
    if (listed.code !== 0) throw new Error(`listing ${logDir} exited ${listed.code}: ${lastLine(listed.stderr)}`);
    const entries = listed.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t") as [string, string])
      .filter(([p]) => p && !p.split("/").includes(".."))
      .sort(([a], [b]) => a.localeCompare(b));
    const dir = join(out, host.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const files: LogFile[] = [];
    for (const [path] of entries) {
      const r = await s.run(READ, { vars: { FLEET_LOG_DIR: logDir, FLEET_FILE: path }, timeoutMs: TIMEOUT_MS, what: `reading ${path}` });
      if (r.code !== 0) throw new Error(`reading ${path} exited ${r.code}: ${lastLine(r.stderr)}`);
      const data = Buffer.from(r.stdout.trim(), "base64");
      const local = join(dir, path);
      await mkdir(join(local, ".."), { recursive: true, mode: 0o700 });
      await writeFile(local, data, { mode: 0o600 });
      files.push({ path, bytes: data.length, sha256: sha256Hex(data) });
    }
    return { ...base, status: "ok", files };
  } catch (err) {
    return { ...base, status: "missing", files: [], error: (err as Error).message };
  } finally {
    s?.close();
  }
}

export async function collectLogs(hosts: readonly FleetHost[], access: AgentAccess, opts: { logDir: string; out: string; sinceSeconds?: number }): Promise<LogManifest> {
  await mkdir(opts.out, { recursive: true, mode: 0o700 });
  const sinceS = opts.sinceSeconds ?? null;
  const results = await Promise.all(hosts.map((h) => hostLogs(h, access, opts.logDir, sinceS, opts.out)));
  const manifest: LogManifest = { collected_at: new Date().toISOString(), log_dir: opts.logDir, since_s: sinceS, hosts: results };
  await writeFile(join(opts.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

/** `90s`, `15m`, `2h`, `7d` → seconds; null when not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
}
