import type { Command } from "commander";
import { type Holder, lockFiles } from "../../holders.ts";
import { lockDir, probeLock, slotLockPath } from "../../lock.ts";
import { inventoryOption, slotsFrom } from "../options.ts";


export interface HeldRow {
  lock: string;
  holder: Holder | null;
}

/** Held locks among `paths` (a lock that is free is left out, whatever holder file it left). */
export async function heldLocks(paths: readonly string[]): Promise<HeldRow[]> {
  const rows: HeldRow[] = [];
  for (const lock of paths) {
    const p = await probeLock(lock);
    if (p.held) rows.push({ lock, holder: p.holder ?? null });
  }
  return rows;
}

/** `hut who [--slot <id>] [--json]`: held locks with holder pid, command, job id, start time. */
export function registerWho(program: Command, setExit: (code: number) => void) {
  program
    .command("who")
    .description("list held locks and who holds them")
    .option("--slot <id>", "only this slot's lock (needs the inventory)")
    .option("--json", 'print { "locks": [{ "lock", "holder": { "pid", "command", "job_id", "started_utc" } | null }] }')
    .addOption(inventoryOption())
    .action(async (opts: { slot?: string; json?: boolean; inventory?: string }) => {
      const paths = opts.slot ? slotsFrom(opts).slots.map((s) => slotLockPath(s.id)) : lockFiles(lockDir());
      const rows = await heldLocks(paths);
      if (opts.json) process.stdout.write(`${JSON.stringify({ locks: rows })}\n`);
      else if (rows.length === 0) process.stdout.write("no held locks\n");
      else {
        for (const r of rows) {
          const h = r.holder;
          const who = h ? `pid ${h.pid}  since ${h.started_utc}${h.job_id ? `  job ${h.job_id}` : ""}  ${h.command}` : "holder not recorded";
          process.stdout.write(`${r.lock}  ${who}\n`);
        }
      }
      setExit(0);
    });
}
