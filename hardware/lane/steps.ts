import { isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { shellLine } from "../shell.ts";
import type { SlotConfig } from "../schema/inventory.ts";

/**
 * The ws2 steps of a hardware-lane run and a health check, as shell command lines for `hut run`'s
 * machinery (docs/design/hardware-lane.md, "A lane run is a ws2 job"). hut calls itself for
 * flash and power-cycle, and the artifact fetch through the `hut fetch` contract
 * (`--sha --chip --out --json`); `HUT_FETCH` names another command with that contract.
 */

export const HUT_BIN = join(import.meta.dirname, "../bin/hut.js");
export const FETCH_ENV = "HUT_FETCH";

/** This hut: the node running it and its bin. */
export function hutSelf(): string[] {
  return [process.execPath, HUT_BIN];
}

/** `HUT_FETCH` (whitespace-separated words), else `hut fetch`. */
export function fetchCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const words = (env[FETCH_ENV] ?? "").trim().split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : [...hutSelf(), "fetch"];
}

export interface LaneStep {
  /** The JUnit test case name. */
  name: string;
  command: string;
  /** A failure here is the lane's infrastructure (commit status `error`), not the product (`failure`). */
  infrastructure: boolean;
}

export function fetchStep(sha: string, slot: SlotConfig, out: string, env: NodeJS.ProcessEnv = process.env): LaneStep {
  return {
    name: `fetch the ${slot.chip} build of ${sha.slice(0, 12)}`,
    command: shellLine([...fetchCommand(env), "--sha", sha, "--chip", slot.chip, "--out", out, "--json"]),
    infrastructure: true,
  };
}

export function flashStep(slot: SlotConfig, firmware: string): LaneStep {
  return { name: `flash ${slot.id} and check it boots`, command: shellLine([...hutSelf(), "flash", "--slot", slot.id, "--firmware", firmware, "--json"]), infrastructure: false };
}

export function powerCycleStep(slot: SlotConfig): LaneStep {
  return { name: `power-cycle ${slot.id}`, command: shellLine([...hutSelf(), "power-cycle", "--slot", slot.id, "--json"]), infrastructure: false };
}

export function testSteps(commands: readonly string[]): LaneStep[] {
  return commands.map((command, i) => ({ name: `test ${i + 1}: ${command}`, command, infrastructure: false }));
}

/** The inventory file every step reads (`--inventory`, else HUT_INVENTORY), as an absolute path. */
export function inventoryPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const file = flag ?? env.HUT_INVENTORY;
  if (!file) throw new UsageError("--inventory: required (or set HUT_INVENTORY)");
  if (file === "-") throw new UsageError("--inventory: the lane's steps read the inventory again, so it must be a file, not stdin");
  return isAbsolute(file) ? file : resolve(file);
}
