import { appendFileSync, readFileSync } from "node:fs";
import { z } from "zod";

/**
 * Hardware results of a ws2 job's steps: `hut run` gives its steps LABFLEET_JOB_RESULTS (a 0600
 * file in a private directory); `hut flash` and `hut power-cycle` append their JSON result there,
 * one line each, and the job's report carries them (slot_id, firmware_sha256, boot,
 * power_cycles, recovery_events).
 */

export const JOB_RESULTS_ENV = "LABFLEET_JOB_RESULTS";

export const JobResult = z.discriminatedUnion("kind", [
  z.looseObject({
    kind: z.literal("flash"),
    slot: z.string(),
    status: z.string(),
    sha256: z.string(),
    boot: z.enum(["ok", "timeout"]).nullable(),
    boot_line: z.string().nullable(),
  }),
  z.looseObject({ kind: z.literal("power-cycle"), slot: z.string(), status: z.string(), attempts: z.number().int().positive().optional() }),
]);
export type JobResult = z.infer<typeof JobResult>;

export function recordJobResult(result: JobResult, env: NodeJS.ProcessEnv = process.env): void {
  const file = env[JOB_RESULTS_ENV];
  if (file) appendFileSync(file, `${JSON.stringify(result)}\n`, { mode: 0o600 });
}

/** The results recorded in `file` (lines that do not parse are skipped). */
export function readJobResults(file: string): JobResult[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: JobResult[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JobResult.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {}
  }
  return out;
}

/**
 * The report fields the results give: the last flash's slot, sha256 and boot; the cycle count; the
 * recovery events (every power-cycle attempt beyond the first: a retry that brought the relay round).
 */
export function reportFields(results: readonly JobResult[]) {
  const flash = results.filter((r) => r.kind === "flash").at(-1);
  const cycles = results.filter((r) => r.kind === "power-cycle");
  const slot = flash?.slot ?? cycles.at(-1)?.slot;
  return {
    ...(slot ? { slot_id: slot } : {}),
    ...(flash ? { firmware_sha256: flash.sha256, boot: { status: flash.boot, line: flash.boot_line } } : {}),
    ...(cycles.length > 0 ? { power_cycles: cycles.length, recovery_events: cycles.reduce((n, c) => n + Math.max(0, (c.attempts ?? 1) - 1), 0) } : {}),
  };
}
