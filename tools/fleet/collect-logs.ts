import { type Command, InvalidArgumentError } from "commander";
import { collectLogs, parseDuration } from "../../components/fleet/logs.ts";
import { type CommonOptions, fleetContext } from "./context.ts";
import { printTable } from "./table.ts";

function duration(value: string): number {
  const s = parseDuration(value);
  if (s === null || s === 0) throw new InvalidArgumentError("must be a duration like 90s, 15m, 2h or 7d");
  return s;
}

/** `fleet collect-logs --out <dir> [--since <duration>] [--json]`: exit 0 only when every host answered. */
export function registerCollectLogs(program: Command, common: (c: Command) => Command, setExit: (code: number) => void) {
  common(program.command("collect-logs").description("pull every agent's audit logs into <out>/<host>/ with <out>/manifest.json"))
    .requiredOption("--out <dir>", "folder to write into (created 0700)")
    .option("--since <duration>", "only files changed within this long (90s, 15m, 2h, 7d)", duration)
    .option("--json", "print the manifest on stdout")
    .action(async (opts: CommonOptions & { out: string; since?: number; json?: boolean }) => {
      const ctx = fleetContext(opts);
      const m = await collectLogs(ctx.hosts, ctx.access, { logDir: ctx.inventory.logDir, out: opts.out, ...(opts.since ? { sinceSeconds: opts.since } : {}) });
      if (opts.json) process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
      else {
        printTable(
          ["HOST", "STATUS", "FILES", "BYTES", "ERROR"],
          m.hosts.map((h) => [h.name, h.status, String(h.files.length), String(h.files.reduce((n, f) => n + f.bytes, 0)), h.error ?? ""]),
        );
      }
      setExit(m.hosts.every((h) => h.status === "ok") ? 0 : 1);
    });
}
