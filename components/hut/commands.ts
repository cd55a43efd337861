import type { HomeAssistantConfig, SlotConfig } from "../../hardware/schema/inventory.ts";

/**
 * The `hut` command lines HutSlot's command resources run on the runner host. Pure functions:
 * no secrets ever enter a command line (the HA token travels in the command's environment), and
 * the slot's inventory is fed on stdin (`--inventory -`), so the runner needs nothing but `hut`.
 */

/** POSIX single-quote quoting. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function hutCommandLine(hutCommand: string, args: readonly string[]): string {
  // hutCommand is operator config (e.g. "hut" or "node hardware/bin/hut.js"), used as written.
  return [hutCommand, ...args.map(shellQuote)].join(" ");
}

/** The one-slot inventory document fed on stdin; valid for the CLI's strict schema. */
export function slotInventory(slot: SlotConfig, homeAssistant?: HomeAssistantConfig): string {
  return `${JSON.stringify({ ...(homeAssistant ? { homeAssistant } : {}), slots: [slot] })}\n`;
}

export interface FirmwareSpec {
  path: string;
  sha256: string;
  commitSha?: string;
}

export function flashArgs(slot: SlotConfig, firmware: FirmwareSpec): string[] {
  return ["flash", "--inventory", "-", "--slot", slot.id, "--firmware", firmware.path, "--sha256", firmware.sha256, "--json"];
}

export function powerCycleArgs(slot: SlotConfig): string[] {
  return ["power-cycle", "--inventory", "-", "--slot", slot.id, "--json"];
}
