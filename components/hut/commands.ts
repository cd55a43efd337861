import type { HomeAssistantConfig, SlotConfig } from "../../hardware/schema/inventory.ts";
import { shellQuote } from "../shell.ts";

/**
 * The `hut` command lines HutSlot's actions (`HutAction`) run on the runner host. Pure functions:
 * no secrets ever enter a command line (the HA token travels in the action's environment), and
 * the slot's inventory is fed on stdin (`--inventory -`), so the runner needs nothing but `hut`.
 */

/**
 * Environment variables the remote power-cycle action sends as SSH `env` requests; the runner's
 * sshd must accept exactly these (`AcceptEnv`, written by the RunnerHost baseline).
 */
export const HUT_REMOTE_ENV = ["HA_URL", "HA_TOKEN"] as const;

/**
 * The argv of one hut invocation: `hutCommand` is operator config (e.g. "hut" or
 * "node hardware/bin/hut.js"), split on whitespace into its words; no shell is involved.
 */
export function hutArgv(hutCommand: string, args: readonly string[]): string[] {
  const words = hutCommand.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new Error("hutCommand is empty");
  return [...words, ...args];
}

/** The command line an SSH server's shell runs for `argv`: every word POSIX-quoted. */
export function remoteCommandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/**
 * An inventory document for some slots, valid for the CLI's strict schema: the one-slot document
 * HutSlot feeds on stdin and a runner host's `HUT_INVENTORY` file are both built here.
 */
export function inventoryDocument(slots: readonly SlotConfig[], homeAssistant?: HomeAssistantConfig, artifactStore?: string) {
  return { ...(homeAssistant ? { homeAssistant } : {}), ...(artifactStore ? { artifacts: { store: artifactStore } } : {}), slots: [...slots] };
}

/** The one-slot inventory document fed on stdin (with the artifact store URL when a flash fetches by commit). */
export function slotInventory(slot: SlotConfig, homeAssistant?: HomeAssistantConfig, artifactStore?: string): string {
  return `${JSON.stringify(inventoryDocument([slot], homeAssistant, artifactStore))}\n`;
}

/** An image on the runner host, or the upstream build of a commit (fetched from the artifact store). */
export type FirmwareSpec = { path: string; sha256: string; commitSha?: string } | { sha: string };

export function byCommit(firmware: FirmwareSpec): firmware is { sha: string } {
  return "sha" in firmware;
}

/**
 * Where the image of a flash by commit is fetched: for a cloud store (s3://, gs://) by the host
 * running Pulumi (the deploy job's identity), then copied to the runner host over SSH, because a
 * runner host has store credentials only inside a hardware-lane job; a `file://` store, or a slot
 * on the Pulumi host itself, is read by the runner's `hut flash --sha` as before.
 */
export function flashTransfer(slot: SlotConfig, firmware: FirmwareSpec, artifactStore: string | undefined, remote: boolean): { store: string; sha: string; chip: string } | undefined {
  if (!remote || !byCommit(firmware) || !artifactStore || artifactStore.startsWith("file://")) return undefined;
  return { store: artifactStore, sha: firmware.sha, chip: slot.chip };
}

/**
 * How long the stack's flash and power-cycle actions wait for the slot lock (a CI job may hold
 * it) before failing with exit 75 naming the holder; `labfleet:hut.lockWaitSeconds`.
 */
export const DEFAULT_LOCK_WAIT_SECONDS = 300;

export function flashArgs(slot: SlotConfig, firmware: FirmwareSpec): string[] {
  const image = byCommit(firmware) ? ["--sha", firmware.sha] : ["--firmware", firmware.path, "--sha256", firmware.sha256];
  return ["flash", "--inventory", "-", "--slot", slot.id, ...image, "--json"];
}

/** What re-flashes a slot when it changes (the image by file keeps its historical trigger list). */
export function flashTriggers(slot: SlotConfig, firmware: FirmwareSpec): string[] {
  const image = byCommit(firmware) ? [firmware.sha] : [firmware.sha256, firmware.commitSha ?? ""];
  return [...image, slot.serialById, slot.chip];
}

export function powerCycleArgs(slot: SlotConfig): string[] {
  return ["power-cycle", "--inventory", "-", "--slot", slot.id, "--json"];
}

/**
 * The lock wait as a HutAction run flag: changing `lockWaitSeconds` updates the stored inputs and
 * never re-flashes or power-cycles a board (argv changes do).
 */
export function lockWaitFlags(waitSeconds = DEFAULT_LOCK_WAIT_SECONDS): string[] {
  return ["--wait", String(waitSeconds)];
}
