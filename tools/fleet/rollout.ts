import { type Command, InvalidArgumentError } from "commander";
import { PackageError, loadPackage } from "../../components/fleet/package.ts";
import { rollout, rolloutFailure } from "../../components/fleet/rollout.ts";
import { BATCH_RE, BatchSize, VERSION_RE } from "../../components/fleet/settings.ts";
import { UsageError } from "../../hardware/errors.ts";
import { intInRange, sha256Hex } from "../../hardware/cli/options.ts";
import { type CommonOptions, fleetContext } from "./context.ts";
import { printTable } from "./table.ts";

interface RolloutOptions extends CommonOptions {
  package?: string;
  sha256?: string;
  version?: string;
  batch?: string | number;
  maxFail?: number;
  rollback: boolean;
  json?: boolean;
}

function batch(value: string): string | number {
  if (!BATCH_RE.test(value) || !BatchSize.safeParse(value).success) throw new InvalidArgumentError("must be a count like 5 or a share like 25%");
  return /^\d+$/.test(value) ? Number(value) : value;
}

function version(value: string): string {
  if (!VERSION_RE.test(value)) throw new InvalidArgumentError("must be a version like 1.4.2 (letters, digits, . _ + ~ -)");
  return value;
}

/**
 * `fleet rollout [--package <file>] [--sha256 <hex>] [--version <v>] [--batch <n|n%>] [--max-fail <n>] [--no-rollback] [--json]`:
 * the component's rollout (components/fleet/rollout.ts) with the inventory's settings, the flags
 * taking precedence. Exit 0 only when every host runs the version and passed its health check.
 */
export function registerRollout(program: Command, common: (c: Command) => Command, setExit: (code: number) => void) {
  common(program.command("rollout").description("roll the agent package out in batches, each gated by the health check"))
    .option("--package <file>", "the package file (default: the inventory's package.source)")
    .option("--sha256 <hex>", "sha256 of the package (default: the inventory's package.sha256)", sha256Hex)
    .option("--version <v>", "version the package installs (default: the inventory's package.version when the sha256 is the inventory's)", version)
    .option("--batch <n|n%>", "hosts per batch (default: the inventory's batch)", batch)
    .option("--max-fail <n>", "failed hosts tolerated (default: the inventory's maxFailures)", intInRange(0, 100_000))
    .option("--no-rollback", "leave a failed batch as it is")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: RolloutOptions) => {
      const ctx = fleetContext(opts);
      const inv = ctx.inventory;
      const source = opts.package ?? inv.package.source;
      const sha256 = opts.sha256 ?? inv.package.sha256;
      if (opts.version === undefined && sha256 !== inv.package.sha256) throw new UsageError("--version: required when --sha256 is not the inventory's package.sha256");
      const flag = (key: "source" | "sha256") => (key === "source" ? (opts.package ? "--package" : "package.source") : opts.sha256 ? "--sha256" : "package.sha256");
      let pkg: Buffer;
      try {
        pkg = await loadPackage({ source, sha256 });
      } catch (err) {
        if (err instanceof PackageError) throw new UsageError(`${flag(err.key)}: ${err.message}`);
        throw err;
      }
      const settings = {
        ...inv,
        package: { sha256, version: opts.version ?? inv.package.version },
        batch: opts.batch ?? inv.batch,
        maxFailures: opts.maxFail ?? inv.maxFailures,
        rollback: opts.rollback && inv.rollback,
      };
      const onEvent = opts.json ? undefined : (line: string) => process.stderr.write(`${line}\n`);
      const r = await rollout(ctx.hosts, settings, ctx.access, pkg, { ...(onEvent ? { onEvent } : {}) });
      if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        printTable(
          ["HOST", "BATCH", "STATUS", "FROM", "NOW", "SECONDS", "DETAIL"],
          r.hosts.map((h) => [h.name, String(h.batch), h.status + (h.rolledBack ? " (rolled back)" : ""), h.from ?? "-", h.version ?? "-", String(h.seconds), h.detail ?? ""]),
        );
        if (!r.ok) process.stderr.write(`fleet: ${rolloutFailure(r, ctx.hosts, settings.maxFailures)}\n`);
      }
      setExit(r.ok ? 0 : 1);
    });
}
