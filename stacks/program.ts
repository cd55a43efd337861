import { RoleRepos } from "../components/gitlab/role-repos.ts";
import type { StackConfig } from "./config/index.ts";
import type { StackOutputs } from "./outputs.ts";

/**
 * Composition only: which components exist for this stack and how they are wired.
 * Each component gets its config section and the outputs of the components it depends on.
 */
export async function program(cfg: StackConfig): Promise<StackOutputs> {
  const slots = cfg.hut.enabled
    ? cfg.hut.slots.map((s) => ({
        id: s.id,
        label: s.label,
        runner: s.runner,
        serialById: s.serialById,
        relayEntity: s.relay.entity,
        chip: s.chip,
      }))
    : [];
  const outputs: StackOutputs = { environment: cfg.environment, slots };
  const tags = { environment: cfg.environment, stack: cfg.stack, extra: cfg.tags };
  if (cfg.gitlab.enabled && cfg.secrets.gitlabToken) {
    const repos = new RoleRepos("gitlab", { tags, gitlab: cfg.gitlab, token: cfg.secrets.gitlabToken, slotLabels: slots.map((s) => s.label), stack: cfg.stack });
    Object.assign(outputs, repos.stackOutputs());
  }
  return outputs;
}
