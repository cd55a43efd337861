import type { Command } from "commander";
import { diagnoseSlot, esptoolVersion } from "../../doctor.ts";
import { errorMessage } from "../../errors.ts";
import { esptoolCommand } from "../../flash.ts";
import { describeHolder } from "../../holders.ts";
import { HomeAssistantClient } from "../../relay.ts";
import { inventoryOption, slotsFrom } from "../options.ts";
import { shutdownSignal } from "../shutdown.ts";
import { homeAssistantFrom } from "./power-cycle.ts";

/** `hut doctor [--slot <id>] [--json]`: exit 0 only when every check of every slot passes. */
export function registerDoctor(program: Command, setExit: (code: number) => void) {
  program
    .command("doctor")
    .description("check each slot: serial device, relay entity, lock, esptool")
    .option("--slot <id>", "only this slot")
    .option("--json", 'print { "ok", "slots": [{ "slot", "ok", "device", "relay", "lock", "esptool" }] }')
    .addOption(inventoryOption())
    .action(async (opts: { slot?: string; json?: boolean; inventory?: string }) => {
      const { inventory, slots } = slotsFrom(opts);
      let relay: HomeAssistantClient | { error: string };
      try {
        const ha = homeAssistantFrom(inventory);
        relay = new HomeAssistantClient({ url: ha.settings.url, token: ha.token, requestTimeoutMs: ha.settings.requestTimeoutSeconds * 1000, signal: shutdownSignal });
      } catch (err) {
        relay = { error: errorMessage(err) };
      }
      const esptool = await esptoolVersion(esptoolCommand());
      const results = [];
      for (const slot of slots) results.push(await diagnoseSlot(slot, { relay, esptool }));
      const ok = results.every((r) => r.ok);
      if (opts.json) process.stdout.write(`${JSON.stringify({ ok, slots: results })}\n`);
      else {
        for (const r of results) {
          process.stdout.write(`${r.slot}: ${r.ok ? "ok" : "FAILED"}\n`);
          for (const [name, c] of [["device", r.device], ["relay", r.relay], ["esptool", r.esptool]] as const) {
            process.stdout.write(`  ${c.ok ? "ok  " : "FAIL"} ${name}: ${c.message}\n`);
          }
          process.stdout.write(`  ok   lock: ${r.lock.held ? `held by ${describeHolder(r.lock.holder ?? undefined)}` : "free"}\n`);
        }
      }
      setExit(ok ? 0 : 1);
    });
}
