import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config/index.ts";

/** Parses `labfleet:*` values (objects given as data) and returns the problems, or [] if valid. */
function problems(values: Record<string, unknown>, stack = "local", secretKeys: string[] = []): string[] {
  const raw = {
    values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    secretKeys: new Set(secretKeys),
  };
  try {
    parseStackConfig(raw, stack);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.key}: ${p.message}`);
  }
}

const slot = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `hut-0${i}`,
  label: `esp32-hut-0${i}`,
  runner: "local",
  serialById: `/dev/serial/by-id/usb-adapter-${i}`,
  relay: { entity: `switch.hut_0${i}` },
  ...extra,
});

describe("stack config validation names the exact key path", () => {
  it("accepts an empty local stack with every section off", () => {
    const cfg = parseStackConfig({ values: {}, secretKeys: new Set() }, "local");
    expect(cfg.environment).toBe("local");
    for (const s of [cfg.console.aws, cfg.console.gcp, cfg.ci, cfg.wireguard, cfg.lxd, cfg.gitlab, cfg.hut]) {
      expect(s.enabled).toBe(false);
    }
  });

  it("needs an explicit environment for a stack name that is not an environment", () => {
    expect(problems({}, "feature-x")).toEqual(["labfleet:environment: required"]);
    expect(problems({ environment: "qa" }, "feature-x")[0]).toMatch(/^labfleet:environment: /);
  });

  it("disabling a section ignores its other keys", () => {
    expect(problems({ gitlab: { enabled: false, url: "http://not-https" } })).toEqual([]);
  });

  it("hut: by-id paths, slot ids, relay entities, unknown keys, uniqueness", () => {
    expect(problems({ hut: { slots: [slot(1), slot(2, { serialById: "/dev/ttyUSB0" })] } })).toEqual([
      "labfleet:hut.slots[1].serialById: must start with /dev/serial/by-id/",
    ]);
    expect(problems({ hut: { slots: [slot(1, { id: "hut-1", relay: { entity: "light.x" }, colour: "red" })] } })).toEqual([
      "labfleet:hut.slots[0].id: must look like hut-NN",
      "labfleet:hut.slots[0].relay.entity: must be a switch.* entity id",
      "labfleet:hut.slots[0].colour: unknown key",
    ]);
    expect(problems({ hut: { slots: [slot(1), slot(2, { label: "esp32-hut-01" })] } })).toEqual([
      'labfleet:hut.slots[1].label: duplicate label "esp32-hut-01" (also slots[0])',
    ]);
    expect(problems({ hut: { slots: [slot(1, { runner: "ghost" })] } })).toEqual([
      'labfleet:hut.slots[0].runner: runner "ghost" is not declared in lxd.runners (or use "local")',
    ]);
  });

  it("wireguard: endpoint and CIDR", () => {
    expect(problems({ wireguard: { hub: { endpoint: "nope", cidr: "10.0.0.0/33" } } })).toEqual([
      "labfleet:wireguard.hub.endpoint: must be host:port",
      "labfleet:wireguard.hub.cidr: Invalid IPv4 range",
    ]);
  });

  it("lxd: runner names and remote kinds", () => {
    const p = problems({ lxd: { remotes: { lab: { kind: "ftp" } }, runners: [{ name: "Bad_Name" }] } });
    expect(p).toContain("labfleet:lxd.runners[0].name: must be a valid LXD instance name");
    expect(p.some((l) => l.startsWith("labfleet:lxd.remotes.lab.kind: "))).toBe(true);
  });

  it("gitlab: https only, roles required", () => {
    expect(problems({ gitlab: { url: "http://gitlab.example", group: "g" } }, "local", [])).toEqual([
      "labfleet:gitlab.url: must be an https:// URL",
      "labfleet:gitlab.roles: required",
    ]);
  });

  it("console and ci sections report their own paths", () => {
    expect(problems({ console: { aws: { region: "mars-1", image: "x" } } })).toContain(
      "labfleet:console.aws.region: must be an AWS region like eu-central-1",
    );
    expect(problems({ ci: { github: { owner: "o" } } })).toEqual(["labfleet:ci.github.repo: required"]);
  });

  it("governance and unknown top-level keys", () => {
    expect(problems({ governance: { minBackupDays: 0 }, bogus: "1" })).toEqual([
      "labfleet:governance.minBackupDays: Too small: expected number to be >=1",
      "labfleet:bogus: unknown key",
    ]);
  });

  it("reports every problem across sections at once", () => {
    const p = problems({
      hut: { slots: [slot(1, { serialById: "/dev/ttyACM0" })] },
      wireguard: { hub: { endpoint: "x", cidr: "10.1.0.0/24" } },
      gitlab: { url: "ftp://x", group: "g", roles: {} },
    });
    expect(p).toEqual([
      "labfleet:wireguard.hub.endpoint: must be host:port",
      "labfleet:gitlab.url: must be an https:// URL",
      "labfleet:gitlab.roles.arch: required",
      "labfleet:gitlab.roles.infra: required",
      "labfleet:gitlab.roles.runner: required",
      "labfleet:hut.slots[0].serialById: must start with /dev/serial/by-id/",
    ]);
  });

  it("secrets: nested secure values are refused, required secrets are named", () => {
    expect(problems({ hut: { slots: [] } }, "local", ["hut"])[0]).toMatch(/^labfleet:hut: holds a secure value; secrets go in their own keys/);
    const gl = { url: "https://gitlab.example", group: "g", roles: { arch: { path: "p", existing: true }, infra: { path: "i" }, runner: { path: "r" } } };
    expect(problems({ gitlab: gl })).toEqual([
      "labfleet:gitlabToken: required because gitlab is enabled (pulumi config set --secret labfleet:gitlabToken …)",
    ]);
    expect(problems({ gitlab: gl, gitlabToken: "t" }, "local", ["gitlabToken"])).toEqual([]);
  });
});

describe("labfleet:github config", () => {
  const ci = { github: { owner: "example-lab", repo: "labfleet" }, environments: ["staging"] };
  const github = { owner: "example-lab", repo: "labfleet", environments: { staging: {} } };

  it("is valid with the token, and names the token when it is missing", () => {
    expect(problems({ ci, github, githubToken: "x" })).toEqual([]);
    expect(problems({ ci, github })).toEqual([expect.stringMatching(/^labfleet:githubToken: required because github is enabled/)]);
    expect(problems({ github: { enabled: false, owner: 7 } })).toEqual([]);
  });

  it("must govern the repository CiIdentity trusts, with an entry per ci environment", () => {
    expect(problems({ ci, github: { ...github, owner: "someone-else", environments: {} }, githubToken: "x" })).toEqual([
      'labfleet:github.owner: must equal ci.github.owner ("example-lab"): the repository whose workflows CiIdentity trusts',
      'labfleet:github.environments: needs an entry for "staging" (ci.environments): its deploy variables live there',
    ]);
  });

  it("names bad keys: reviewers beyond GitHub's six, a wait timer over 30 days, a workflow outside .github/workflows", () => {
    const envs = { production: { reviewers: { teams: [1, 2, 3, 4], users: [5, 6, 7] }, waitTimerMinutes: 50000 } };
    expect(problems({ github: { ...github, environments: envs, branchProtection: { prWorkflow: "ci/pr.yml" } }, githubToken: "x" })).toEqual([
      expect.stringMatching(/^labfleet:github.environments.production.waitTimerMinutes: /),
      expect.stringMatching(/^labfleet:github.branchProtection.prWorkflow: must be a file under .github\/workflows\//),
    ]);
    expect(problems({ github: { ...github, environments: { production: { reviewers: { teams: [1, 2, 3, 4], users: [5, 6, 7] } } } }, githubToken: "x" })).toEqual([
      "labfleet:github.environments.production.reviewers: has 7 reviewers; GitHub allows at most 6",
    ]);
  });
});
