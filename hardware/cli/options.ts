import { InvalidArgumentError, Option } from "commander";
import type { z } from "zod";
import { UsageError } from "../errors.ts";
import { findSlot, loadInventory } from "../inventory.ts";
import { ChipName, CommitSha, type StoreLocation, StoreUrl } from "../schema/artifacts.ts";
import type { InventoryConfig, SlotConfig } from "../schema/inventory.ts";

/** Argument parsers for commander: a bad value makes commander name the flag, exit 2. */

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a non-negative number");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number");
  return n;
}

export function intInRange(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

export function sha256Hex(value: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError("must be 64 hex digits");
  return value.toLowerCase();
}

export function regex(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (err) {
    throw new InvalidArgumentError(`not a valid regular expression (${(err as Error).message})`);
  }
}

/** A commander argument parser from a zod schema: its first issue becomes the flag's error (exit 2). */
export function zodArg<T>(schema: z.ZodType<T, string>) {
  return (value: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new InvalidArgumentError(r.error.issues[0]?.message ?? "invalid value");
    return r.data;
  };
}

export const commitSha = zodArg(CommitSha);
export const chipName = zodArg(ChipName);
export const storeUrl = zodArg(StoreUrl);

/** `--store <url>`, declared once for every command that reads the artifact store. */
export function storeOption(): Option {
  return new Option("--store <url>", "artifact store (s3://…, gs://…, file:///…); default $HUT_ARTIFACT_STORE, else the inventory's artifacts.store").argParser(storeUrl);
}

/**
 * The artifact store: `--store`, else HUT_ARTIFACT_STORE, else the inventory's `artifacts.store`
 * (read only when neither is given). Missing or invalid → UsageError naming the flag/variable/key.
 */
export function storeFrom(opts: { store?: StoreLocation; inventory?: string }, env: NodeJS.ProcessEnv = process.env, loaded?: InventoryConfig): StoreLocation {
  if (opts.store) return opts.store;
  const fromEnv = env.HUT_ARTIFACT_STORE;
  if (fromEnv) {
    const r = StoreUrl.safeParse(fromEnv);
    if (!r.success) throw new UsageError(`HUT_ARTIFACT_STORE: ${r.error.issues[0]?.message}`);
    return r.data;
  }
  if (loaded || opts.inventory || env.HUT_INVENTORY) {
    const store = (loaded ?? loadInventory(opts.inventory, env)).artifacts?.store;
    if (store) return store;
  }
  throw new UsageError("--store: required (or set HUT_ARTIFACT_STORE, or artifacts.store in the inventory)");
}

/** `--inventory <file>`, declared once for every command that reads the inventory. */
export function inventoryOption(): Option {
  return new Option("--inventory <file>", "inventory file (YAML/JSON, - for stdin); default $HUT_INVENTORY");
}

/** `--slot <id>` (required), declared once for every command that acts on one slot. */
export function slotOption(): Option {
  return new Option("--slot <id>", "slot id (hut-NN)").makeOptionMandatory();
}

/** `--wait <seconds>` for the slot lock, declared once for every command that takes it. */
export function waitOption(): Option {
  return new Option("--wait <seconds>", "give up waiting for the slot lock after this long (exit 75 naming the holder); default: wait forever").argParser(
    nonNegativeNumber,
  );
}

/** What `inventoryOption()` and `slotOption()` parse to. */
export interface SlotOptions {
  inventory?: string;
  slot: string;
}

/** Loads the inventory and the `--slot` (UsageError naming the key or flag otherwise). */
export function slotFrom(opts: SlotOptions): { inventory: InventoryConfig; slot: SlotConfig } {
  const inventory = loadInventory(opts.inventory);
  return { inventory, slot: findSlot(inventory, opts.slot) };
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (!v) throw new UsageError(`${name}: required in the environment`);
  return v;
}

/** The inventory and its slots: only `--slot` when given, else all of them. */
export function slotsFrom(opts: { inventory?: string; slot?: string }): { inventory: InventoryConfig; slots: SlotConfig[] } {
  const inventory = loadInventory(opts.inventory);
  return { inventory, slots: opts.slot ? [findSlot(inventory, opts.slot)] : inventory.slots };
}
