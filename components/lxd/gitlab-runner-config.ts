import { HUT_INVENTORY_PATH } from "./host-files.ts";

/**
 * `/etc/gitlab-runner/config.toml` of a runner host: one `[[runners]]` entry per HUT slot the
 * host carries (the slot's label is the runner's only tag on GitLab), each authenticated with its
 * runner authentication token (`glrt-…`, from `RoleRepos.ciRunnerTokens`), shell executor, one job
 * at a time, and `HUT_INVENTORY`/`HUT_SLOT` in the job environment. The text holds secrets: the
 * caller keeps it a secret Output and writes it 0600. No error message ever contains a token.
 */

export interface SlotCiRunner {
  /** The slot's CI label (= the GitLab runner's tag and name). */
  label: string;
  /** The slot id, exported to jobs as `HUT_SLOT`. */
  slotId: string;
}

export interface GitlabRunnerConfigArgs {
  /** GitLab base URL (`labfleet:gitlab.url`). */
  url: string;
  runner: string;
  slots: readonly SlotCiRunner[];
  /** Runner authentication token per slot label (secret). */
  tokens: Readonly<Record<string, string | undefined>>;
}

/** A TOML basic string: quotes, backslashes and control characters escaped. */
export function tomlString(s: string): string {
  const escaped = s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === "\\") return "\\\\";
    if (c === '"') return '\\"';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `"${escaped}"`;
}

const TOKEN = /^[A-Za-z0-9_.:-]+$/;

export function gitlabRunnerConfig(a: GitlabRunnerConfigArgs): string {
  const lines = [
    `# Managed by labfleet (RunnerHost ${a.runner}): one runner per HUT slot on this host. Edits are overwritten.`,
    `concurrent = ${Math.max(1, a.slots.length)}`,
    "check_interval = 0",
    "shutdown_timeout = 0",
  ];
  for (const slot of a.slots) {
    const token = a.tokens[slot.label];
    if (typeof token !== "string" || token.length === 0) {
      throw new Error(`gitlab-runner config of ${a.runner}: no runner authentication token for slot label ${JSON.stringify(slot.label)} (RoleRepos.ciRunnerTokens)`);
    }
    if (!TOKEN.test(token)) {
      throw new Error(`gitlab-runner config of ${a.runner}: the runner token of slot label ${JSON.stringify(slot.label)} has unexpected characters`);
    }
    lines.push(
      "",
      "[[runners]]",
      `  name = ${tomlString(slot.label)}`,
      `  url = ${tomlString(a.url)}`,
      `  token = ${tomlString(token)}`,
      `  executor = "shell"`,
      `  shell = "bash"`,
      "  limit = 1",
      `  environment = [${[`HUT_INVENTORY=${HUT_INVENTORY_PATH}`, `HUT_SLOT=${slot.slotId}`].map(tomlString).join(", ")}]`,
    );
  }
  return `${lines.join("\n")}\n`;
}
