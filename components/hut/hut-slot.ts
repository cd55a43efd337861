import * as pulumi from "@pulumi/pulumi";
import type { HomeAssistantConfig, SlotConfig } from "../../hardware/schema/inventory.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { type FirmwareSpec, byCommit, flashArgs, flashTransfer, flashTriggers, type HUT_REMOTE_ENV, hutArgv, lockWaitFlags, powerCycleArgs, slotInventory } from "./commands.ts";
import { HutAction, type HutActionArgs } from "./hut-action.ts";
import type { RunnerHostConnection } from "./runner-host-connection.ts";

/** One row of the stack's slot table. */
export interface SlotRecord {
  id: string;
  label: string;
  runner: string;
  serialById: string;
  relayEntity: string;
  chip: string;
}

export interface HutSlotArgs extends LabComponentArgs {
  slot: SlotConfig;
  /** Where the slot's runner is reached; absent for `runner: local` (the action runs here). */
  connection?: RunnerHostConnection;
  /** SSH private key for `connection` (made secret here in any case). */
  privateKey?: pulumi.Input<string>;
  homeAssistant?: HomeAssistantConfig;
  /** Home Assistant token (secret); only the power-cycle command receives it. */
  haToken?: pulumi.Input<string>;
  /** Desired firmware; a change of sha256/commit (or of the board's serial/chip) re-flashes. */
  firmware?: FirmwareSpec;
  /** The artifact store URL (`s3://…`, `gs://…`, `file://…`); required for firmware by commit. */
  artifactStore?: string;
  /** Changing it power-cycles the slot on the next `pulumi up`. */
  powerCycleNonce?: string;
  /** How the runner host invokes the CLI, e.g. `hut`. */
  hutCommand: string;
  /** Bound of the actions' wait for the slot lock (default DEFAULT_LOCK_WAIT_SECONDS). */
  lockWaitSeconds?: number;
}

/**
 * `labfleet:hut:HutSlot`: a slot's record for the stack output table, plus its hardware actions
 * as `HutAction` resources on the runner host — `flash` (triggered by firmware sha256 / commit,
 * by the commit SHA of a build fetched from the artifact store — for a cloud store fetched here
 * and copied to the runner (`flashTransfer`) —
 * and by the board's serial path/chip) and `power-cycle` (triggered by `powerCycleNonce`). Both
 * run the same `hut` CLI a CI job uses; only trigger changes (replacements) run them again.
 */
export class HutSlot extends LabComponent {
  private readonly row: SlotRecord;
  readonly flash?: HutAction;
  readonly powerCycle?: HutAction;

  constructor(name: string, args: HutSlotArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hut", "HutSlot", name, args, opts);
    const { slot } = args;
    if (slot.runner !== "local" && !args.connection) {
      throw new Error(`HutSlot ${name}: runner ${JSON.stringify(slot.runner)} needs a connection`);
    }
    this.row = {
      id: slot.id,
      label: slot.label,
      runner: slot.runner,
      serialById: slot.serialById,
      relayEntity: slot.relay.entity,
      chip: slot.chip,
    };
    const stdin = slotInventory(slot, args.homeAssistant);

    if (args.firmware) {
      const fetches = byCommit(args.firmware);
      if (fetches && !args.artifactStore) throw new Error(`HutSlot ${name}: firmware by commit needs the artifact store (labfleet:artifacts or hut.artifacts.store)`);
      this.flash = this.action("flash", {
        argv: hutArgv(args.hutCommand, flashArgs(slot, args.firmware)),
        runFlags: lockWaitFlags(args.lockWaitSeconds),
        // only a flash by commit carries the store: the stdin of existing actions stays as it was
        stdin: fetches ? slotInventory(slot, args.homeAssistant, args.artifactStore) : stdin,
        triggers: flashTriggers(slot, args.firmware),
        transfer: flashTransfer(slot, args.firmware, args.artifactStore, args.connection !== undefined),
      }, args);
    }
    if (args.powerCycleNonce !== undefined) {
      if (!args.homeAssistant || args.haToken === undefined) {
        throw new Error(`HutSlot ${name}: powerCycleNonce needs homeAssistant and the haToken secret`);
      }
      this.powerCycle = this.action("power-cycle", {
        argv: hutArgv(args.hutCommand, powerCycleArgs(slot)),
        runFlags: lockWaitFlags(args.lockWaitSeconds),
        stdin,
        triggers: [args.powerCycleNonce],
        // exactly the variables the runner's sshd accepts (HUT_REMOTE_ENV, RunnerHost baseline)
        environment: { HA_URL: args.homeAssistant.url, HA_TOKEN: pulumi.secret(args.haToken) } satisfies Record<(typeof HUT_REMOTE_ENV)[number], pulumi.Input<string>>,
      }, args);
    }
    this.registerOutputs({
      record: this.row,
      flashResult: this.flash?.stdout,
      powerCycleResult: this.powerCycle?.stdout,
    });
  }

  /** The slot's row of the stack output `slots`. */
  outputs(): SlotRecord {
    return this.row;
  }

  private action(
    suffix: string,
    spec: { argv: string[]; runFlags: string[]; stdin: string; triggers: unknown[]; environment?: Record<string, pulumi.Input<string>>; transfer?: HutActionArgs["transfer"] },
    args: HutSlotArgs,
  ): HutAction {
    const connection = args.connection && {
      host: args.connection.host,
      user: args.connection.user,
      port: args.connection.port,
      privateKey: args.privateKey === undefined ? undefined : pulumi.secret(args.privateKey),
    };
    return new HutAction(this.childName(suffix), { ...spec, connection }, this.child());
  }
}
