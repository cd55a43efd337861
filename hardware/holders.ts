import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { ensurePrivateDir } from "./private-dir.ts";

/**
 * Who holds a lock: written (0600, in a 0700 `holders/` directory beside the locks) right after
 * the lock is taken, removed when it is released. The flock itself stays the truth: a holder file
 * whose lock is free (its hut was SIGKILLed) is stale and ignored by readers.
 */

export const Holder = z.strictObject({
  pid: z.number().int().positive(),
  command: z.string(),
  job_id: z.string().optional(),
  started_utc: z.iso.datetime({ offset: true }),
});
export type Holder = z.infer<typeof Holder>;

export function holdersDir(lockPath: string): string {
  return join(dirname(lockPath), "holders");
}

export function holderPath(lockPath: string): string {
  return join(holdersDir(lockPath), `${basename(lockPath)}.json`);
}

/** This process as a holder: its pid, its command line, the ws2 job it runs for (if any). */
export function currentHolder(jobId = process.env.LABFLEET_JOB_ID): Holder {
  const command = ["hut", ...process.argv.slice(2)].join(" ");
  return { pid: process.pid, command, ...(jobId ? { job_id: jobId } : {}), started_utc: new Date().toISOString() };
}

export function writeHolder(lockPath: string, holder: Holder): void {
  ensurePrivateDir(holdersDir(lockPath), 0o700, "HUT_LOCK_DIR");
  const file = holderPath(lockPath);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeHolder(lockPath: string): void {
  rmSync(holderPath(lockPath), { force: true });
}

/** The recorded holder, or undefined (none recorded, or unreadable). */
export function readHolder(lockPath: string): Holder | undefined {
  try {
    const r = Holder.safeParse(JSON.parse(readFileSync(holderPath(lockPath), "utf8")));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export function describeHolder(h: Holder | undefined): string {
  if (!h) return "holder not recorded";
  return `pid ${h.pid} (${h.command}${h.job_id ? `, job ${h.job_id}` : ""}, since ${h.started_utc})`;
}

/** Lock files in `dir` (`*.lock`), sorted. */
export function lockFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".lock"))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}
