import type { Command } from "commander";
import { loadInventory } from "../../inventory.ts";
import { inventoryOption } from "../options.ts";

/** `hut slots [--json]`: the inventory's slots (defaults applied). */
export function registerSlots(program: Command, setExit: (code: number) => void) {
  program
    .command("slots")
    .description("list the inventory's slots")
    .option("--json", "print the slots as JSON")
    .addOption(inventoryOption())
    .action((opts: { json?: boolean; inventory?: string }) => {
      const inv = loadInventory(opts.inventory);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ slots: inv.slots }, null, 2)}\n`);
      } else {
        const rows = [["ID", "LABEL", "RUNNER", "CHIP", "RELAY", "SERIAL"]];
        for (const s of inv.slots) rows.push([s.id, s.label, s.runner, s.chip, s.relay.entity, s.serialById]);
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
      }
      setExit(0);
    });
}
