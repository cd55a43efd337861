import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { UsageError } from "./errors.ts";
import { Inventory, type InventoryConfig, type SlotConfig } from "./schema/inventory.ts";
import { problemsFromIssues, renderProblems } from "./schema/problems.ts";

/**
 * Loads the HUT inventory for the CLI: `--inventory <file>` (YAML or JSON; `-` reads stdin),
 * else HUT_INVENTORY. Every problem is reported with its key path, exit 2.
 */

export function issuesToMessage(source: string, issues: ReadonlyArray<z.core.$ZodIssue>): string {
  return renderProblems(`invalid ${source}`, problemsFromIssues("", issues));
}

export function parseInventory(data: unknown, source: string): InventoryConfig {
  const r = Inventory.safeParse(data, { reportInput: true });
  if (!r.success) throw new UsageError(issuesToMessage(source, r.error.issues));
  return r.data;
}

/** Reads the file given to `flag` (`-` is stdin); unreadable → UsageError naming the flag. */
export function readTextArg(flag: string, file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export function loadInventory(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  const file = flag ?? env.HUT_INVENTORY;
  if (!file) throw new UsageError("--inventory: required (or set HUT_INVENTORY)");
  const source = flag ? `inventory ${file}` : `inventory ${file} (HUT_INVENTORY)`;
  const text = readTextArg(flag ? "--inventory" : "HUT_INVENTORY", file);
  let data: unknown;
  try {
    data = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new UsageError(`${source}: not YAML/JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  return parseInventory(data, source);
}

export function findSlot(inv: InventoryConfig, id: string): SlotConfig {
  const slot = inv.slots.find((s) => s.id === id);
  if (!slot) {
    const known = inv.slots.map((s) => s.id).join(", ") || "none";
    throw new UsageError(`--slot: unknown slot ${JSON.stringify(id)} (inventory has: ${known})`);
  }
  return slot;
}

/**
 * Where the slot's serial port is opened. Always the by-id path from the inventory; the
 * HUT_SERIAL_BY_ID_DIR override (simulations and tests) only swaps the `/dev/serial/by-id`
 * directory for another one holding the same names.
 */
export function serialPort(slot: SlotConfig, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.HUT_SERIAL_BY_ID_DIR;
  if (!dir) return slot.serialById;
  return `${dir.replace(/\/+$/, "")}/${slot.serialById.slice("/dev/serial/by-id/".length)}`;
}
