import type { Command } from "commander";
import { fleetStatus } from "../../components/fleet/status.ts";
import { intInRange } from "../../hardware/cli/options.ts";
import { type CommonOptions, fleetContext } from "./context.ts";
import { printTable } from "./table.ts";

/** `fleet status [--json] [--timeout <s>]`: exit 0 only when every host is reachable. */
export function registerStatus(program: Command, common: (c: Command) => Command, setExit: (code: number) => void) {
  common(program.command("status").description("probe every agent over the mesh (hostname, uptime, user, disk, agent version, handshake age)"))
    .option("--json", "one JSON document on stdout")
    .option("--timeout <s>", "bound of the whole status, in seconds (default: ssh.connectTimeoutSeconds)", intInRange(1, 600))
    .action(async (opts: CommonOptions & { json?: boolean; timeout?: number }) => {
      const ctx = fleetContext(opts);
      const timeoutSeconds = opts.timeout ?? ctx.inventory.ssh.connectTimeoutSeconds;
      const r = await fleetStatus(ctx.hosts, ctx.access, { stateDir: ctx.inventory.stateDir, timeoutSeconds, ...(ctx.hub ? { hub: ctx.hub } : {}) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      } else {
        const rows = r.hosts.map((h) => [
          h.name,
          h.address,
          h.reachable ? "up" : "DOWN",
          h.hostname ?? "-",
          h.uptime_s === null ? "-" : String(h.uptime_s),
          h.user ?? "-",
          h.disk_free_bytes === null ? "-" : `${Math.floor(h.disk_free_bytes / 2 ** 20)}M`,
          h.agent_version ?? "-",
          h.handshake_age_s === null ? "-" : String(h.handshake_age_s),
          h.error ?? "",
        ]);
        printTable(["NAME", "ADDRESS", "STATE", "HOSTNAME", "UPTIME_S", "USER", "DISK_FREE", "VERSION", "HANDSHAKE_S", "ERROR"], rows);
        if (r.hubError) process.stderr.write(`fleet: handshake ages unavailable: ${r.hubError}\n`);
      }
      setExit(r.ok ? 0 : 1);
    });
}
