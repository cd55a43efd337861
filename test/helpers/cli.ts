import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../tools/plan/run.ts";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a project TypeScript entry (e.g. `tools/plan/cli.ts`) with tsx, as `npm run` would. */
export function runTs(entry: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, entry), ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const plan = (args: string[]) => runTs("tools/plan/cli.ts", args);
