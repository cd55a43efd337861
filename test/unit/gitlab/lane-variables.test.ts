import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc.js";
import { parse } from "yaml";
import { LANE_VARIABLES } from "../../../components/gitlab/hardware-lane.ts";
import { RoleRepos } from "../../../components/gitlab/role-repos.ts";
import { SECRET_KEYS } from "../../../stacks/config/secrets.ts";
import { parseStackConfig } from "../../../stacks/config/index.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

function stackConfig(stack: string) {
  const doc = parse(readFileSync(`${ROOT}Pulumi.${stack}.yaml`, "utf8")) as { config: Record<string, unknown> };
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    if (k.startsWith("labfleet:")) values[k.slice("labfleet:".length)] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return { doc, cfg: parseStackConfig({ values, secretKeys: new Set() }, stack) };
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply((v) => resolve(v)));
const STATUS = "ghp_statusTokenValue0123456789";
/** How the engine receives a secret input. */
const secret = (v: string) => ({ [specialSigKey]: specialSecretSig, value: v });
const RUNNER = "glpat-runnerApiTokenValue0123";
let repos: RoleRepos;

beforeAll(async () => {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: { projectId: 4242, userId: 77, botUsername: "bot", token: `tok-${args.name}`, ok: true, ...args.inputs } };
      },
      call: (args) => args.inputs,
    },
    "labfleet",
    "staging",
    false,
  );
  const { cfg } = stackConfig("staging");
  if (!cfg.gitlab.enabled || !cfg.hut.enabled || !cfg.hut.lane) throw new Error("staging must enable gitlab, hut and hut.lane");
  repos = new RoleRepos("gitlab", {
    tags: { environment: cfg.environment, stack: "staging" },
    gitlab: cfg.gitlab,
    token: pulumi.secret("glpat-admin-secret"),
    slotLabels: cfg.hut.slots.map((s) => s.label),
    stack: "staging",
    hardwareLane: {
      slots: cfg.hut.slots,
      lane: cfg.hut.lane,
      hutCommand: cfg.hut.hutCommand,
      variables: { githubStatusToken: pulumi.secret(STATUS), runnerApiToken: pulumi.secret(RUNNER) },
    },
  });
  await value(repos.infraBoundaryOk);
  await Promise.all(Object.values(repos.laneVariables).map((v) => value(v.urn)));
});

describe("hardware lane CI/CD variables and health schedule (staging, mock runtime)", () => {
  it("declares both masked, protected variables on the runner repository with the secret config values", () => {
    const vars = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/gitlab:CiVariable");
    expect(vars.map((v) => [v.name, v.inputs.key, v.inputs.value, v.inputs.masked, v.inputs.protected, v.inputs.projectId])).toEqual([
      ["gitlab-runner-var-labfleet-github-status-token", LANE_VARIABLES.githubStatusToken, secret(STATUS), true, true, 4242],
      ["gitlab-runner-var-labfleet-runner-api-token", LANE_VARIABLES.runnerApiToken, secret(RUNNER), true, true, 4242],
    ]);
  });

  it("declares one active hourly pipeline schedule on the runner repository's main, after the template commit", () => {
    const schedules = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/gitlab:PipelineSchedule");
    expect(schedules.map((s) => [s.name, s.inputs.description, s.inputs.ref, s.inputs.cron, s.inputs.cronTimezone, s.inputs.active, s.inputs.projectId])).toEqual([
      ["gitlab-runner-health-schedule", "labfleet hardware lane health (stack staging)", "main", "0 * * * *", "UTC", true, 4242],
    ]);
  });

  it("keeps the values secret (inputs and state)", async () => {
    for (const v of Object.values(repos.laneVariables)) {
      const out = (v as unknown as { value: pulumi.Output<string> }).value;
      expect(await pulumi.isSecret(out)).toBe(true);
    }
  });

  it("requires the two secret keys exactly when hut.lane is set, and staging sets them as secure values", () => {
    const { doc, cfg } = stackConfig("staging");
    expect(SECRET_KEYS.laneGithubStatusToken.required(cfg)).toBe("hut.lane is set");
    expect(SECRET_KEYS.laneRunnerApiToken.required(cfg)).toBe("hut.lane is set");
    expect(doc.config["labfleet:laneGithubStatusToken"]).toEqual({ secure: expect.any(String) });
    expect(doc.config["labfleet:laneRunnerApiToken"]).toEqual({ secure: expect.any(String) });
    for (const stack of ["local", "production"]) expect(SECRET_KEYS.laneGithubStatusToken.required(stackConfig(stack).cfg)).toBeUndefined();
  });
});
