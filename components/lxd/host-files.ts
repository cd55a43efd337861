import { stringify } from "yaml";
import type { HomeAssistantConfig, SlotConfig } from "../../hardware/schema/inventory.ts";
import { HUT_REMOTE_ENV, inventoryDocument } from "../hut/commands.ts";

/**
 * Where things live on a runner host, and the non-secret files the baseline or RunnerHost put
 * there: the sshd drop-in accepting the hut command environment, the HUT inventory of the
 * runner's slots (`HUT_INVENTORY`) and the GitLab runner config path.
 */

/** The runner's HUT inventory (the slots it carries), found by `hut` through `HUT_INVENTORY`. */
export const HUT_INVENTORY_PATH = "/etc/labfleet/hut-inventory.yaml";
/** sshd drop-in: `AcceptEnv` for the variables HutSlot's remote commands send. */
export const SSHD_HUT_DROP_IN = "/etc/ssh/sshd_config.d/60-labfleet-hut.conf";
/** `HUT_INVENTORY` for login shells (interactive SSH, the shell executor's `bash --login`). */
export const PROFILE_HUT_ENV = "/etc/profile.d/labfleet-hut.sh";
export const GITLAB_RUNNER_DIR = "/etc/gitlab-runner";
/** The runner's wg-quick interface (config `/etc/wireguard/<it>.conf`, unit `wg-quick@<it>`). */
export const RUNNER_WG_INTERFACE = "labfleet";
export const GITLAB_RUNNER_CONFIG = `${GITLAB_RUNNER_DIR}/config.toml`;

export function sshdHutDropIn(): string {
  return `# labfleet: hut slot commands send these as SSH environment requests (HutSlot power-cycle).\nAcceptEnv ${HUT_REMOTE_ENV.join(" ")}\n`;
}

/** The slots a runner carries (`slot.runner` = its name), in inventory order. */
export function slotsOn(runner: string, slots: readonly SlotConfig[]): SlotConfig[] {
  return slots.filter((s) => s.runner === runner);
}

/**
 * The runner's inventory file: the same document HutSlot feeds its commands on stdin, for all of
 * this runner's slots, as YAML. No secrets (the HA token comes from `HA_TOKEN`).
 */
export function runnerInventoryYaml(runner: string, slots: readonly SlotConfig[], homeAssistant?: HomeAssistantConfig, artifactStore?: string): string {
  const doc = inventoryDocument(slotsOn(runner, slots), homeAssistant, artifactStore);
  return `# Managed by labfleet (RunnerHost ${runner}): the HUT slots on this runner. Edits are overwritten.\n${stringify(doc, { lineWidth: 0 })}`;
}
