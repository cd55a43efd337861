import type * as pulumi from "@pulumi/pulumi";
import type { HomeAssistantConfig, SlotConfig } from "../../hardware/schema/inventory.ts";
import type { TagContext } from "../component.ts";
import type { FirmwareSpec } from "./commands.ts";
import { HutSlot } from "./hut-slot.ts";
import type { RunnerHostConnection } from "./runner-host-connection.ts";

export interface HutSlotsArgs {
  slots: SlotConfig[];
  homeAssistant?: HomeAssistantConfig;
  /** Firmware per chip: each slot is flashed with its chip's image. */
  firmware?: Record<string, FirmwareSpec>;
  /** The artifact store URL the runners fetch builds by commit from. */
  artifactStore?: string;
  powerCycleNonce?: string;
  hutCommand: string;
  lockWaitSeconds?: number;
  /** Connection per runner name (slots with `runner: local` need none). */
  runners: Record<string, RunnerHostConnection>;
  haToken?: pulumi.Input<string>;
  runnerSshKey?: pulumi.Input<string>;
  tags: TagContext;
}

/** One HutSlot per inventory slot, each wired to its runner's connection. */
export function declareHutSlots(a: HutSlotsArgs): HutSlot[] {
  return a.slots.map((slot) => {
    const connection = slot.runner === "local" ? undefined : a.runners[slot.runner];
    if (slot.runner !== "local" && !connection) throw new Error(`hut slot ${slot.id}: unknown runner ${JSON.stringify(slot.runner)}`);
    return new HutSlot(slot.id, {
      slot,
      connection,
      privateKey: a.runnerSshKey,
      homeAssistant: a.homeAssistant,
      haToken: a.haToken,
      firmware: a.firmware?.[slot.chip],
      artifactStore: a.artifactStore,
      powerCycleNonce: a.powerCycleNonce,
      hutCommand: a.hutCommand,
      lockWaitSeconds: a.lockWaitSeconds,
      tags: a.tags,
    });
  });
}
