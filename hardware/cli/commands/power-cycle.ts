import { type Command, Option } from "commander";
import { UsageError } from "../../errors.ts";
import { recordJobResult } from "../../job-results.ts";
import { slotLockPath, withLock } from "../../lock.ts";
import { type PowerCycleResult, type RelayState, powerCycle } from "../../power-cycle.ts";
import { HomeAssistantClient } from "../../relay.ts";
import { HomeAssistant, type InventoryConfig } from "../../schema/inventory.ts";
import { intInRange, inventoryOption, nonNegativeNumber, requireEnv, slotFrom, slotOption, type SlotOptions, waitOption } from "../options.ts";
import { shutdownSignal } from "../shutdown.ts";

interface PowerCycleOptions extends SlotOptions {
  offSeconds?: number;
  retries?: number;
  cooldown?: number;
  json?: boolean;
  wait?: number;
  finalState: RelayState;
}

/** HA_URL (else inventory homeAssistant.url) and HA_TOKEN; timings from the inventory. */
export function homeAssistantFrom(inv: InventoryConfig, env: NodeJS.ProcessEnv = process.env) {
  const url = env.HA_URL || inv.homeAssistant?.url;
  if (!url) throw new UsageError("HA_URL: required (or homeAssistant.url in the inventory)");
  const parsed = HomeAssistant.safeParse({ ...inv.homeAssistant, url });
  if (!parsed.success) throw new UsageError(`HA_URL: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const token = requireEnv("HA_TOKEN", env);
  return { settings: parsed.data, token };
}

/** `hut power-cycle --slot <id> [--off-seconds N] [--retries N] [--cooldown S] [--final-state on|off] [--wait S] [--json]`. */
export function registerPowerCycle(program: Command, setExit: (code: number) => void) {
  program
    .command("power-cycle")
    .description("switch the slot's relay off and on again through Home Assistant")
    .addOption(slotOption())
    .option("--off-seconds <n>", "seconds the relay stays off (default: slot powerCycle.offSeconds)", nonNegativeNumber)
    .option("--retries <n>", "extra attempts after a failure (default: slot powerCycle.retries)", intInRange(0, 10))
    .option("--cooldown <s>", "seconds between attempts (default: slot powerCycle.cooldownSeconds)", nonNegativeNumber)
    .addOption(new Option("--final-state <state>", "relay state a failed cycle ends in (verified by polling)").choices(["on", "off"]).default("on"))
    .option("--json", 'print { "slot", "status", "attempts", "message", "final_state"? }')
    .addOption(waitOption())
    .addOption(inventoryOption())
    .action(async (opts: PowerCycleOptions) => {
      const { inventory, slot } = slotFrom(opts);
      const ha = homeAssistantFrom(inventory);
      const settings = {
        offSeconds: opts.offSeconds ?? slot.powerCycle.offSeconds,
        retries: opts.retries ?? slot.powerCycle.retries,
        cooldownSeconds: opts.cooldown ?? slot.powerCycle.cooldownSeconds,
      };
      const client = new HomeAssistantClient({
        url: ha.settings.url,
        token: ha.token,
        requestTimeoutMs: ha.settings.requestTimeoutSeconds * 1000,
        signal: shutdownSignal,
      });
      const result: PowerCycleResult = await withLock(slotLockPath(slot.id), { waitSeconds: opts.wait, signal: shutdownSignal }, () =>
        powerCycle({
          slot: slot.id,
          entity: slot.relay.entity,
          client,
          settings,
          finalState: opts.finalState,
          poll: { pollIntervalMs: ha.settings.pollIntervalSeconds * 1000, stateTimeoutMs: ha.settings.stateTimeoutSeconds * 1000 },
          log: (line) => process.stderr.write(`${line}\n`),
          signal: shutdownSignal,
        }),
      );
      recordJobResult({ kind: "power-cycle", ...result });
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${result.slot}: ${result.status} after ${result.attempts} attempt(s): ${result.message}\n`);
      setExit(result.status === "ok" ? 0 : 1);
    });
}
