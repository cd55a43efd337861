import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { RoleRepos } from "../../../components/gitlab/role-repos.ts";
import { parseStackConfig } from "../../../stacks/config/index.ts";
import { callSerializedProvider } from "../../helpers/dynamic.ts";
import type { GitlabConfig } from "../../../components/gitlab/settings.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

/** `labfleet:*` keys of a stack file as raw config (objects as JSON text, secure values present). */
function stackConfig(stack: string) {
  const doc = parse(readFileSync(`${ROOT}Pulumi.${stack}.yaml`, "utf8")) as { config: Record<string, unknown> };
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    if (!k.startsWith("labfleet:")) continue;
    values[k.slice("labfleet:".length)] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return parseStackConfig({ values, secretKeys: new Set() }, stack);
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply((v) => resolve(v)));

let repos: RoleRepos;
let gitlab: GitlabConfig;

beforeAll(async () => {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const computed: Record<string, unknown> = { projectId: 4242, userId: 77, botUsername: "project_4242_bot_abcd", token: `tok-${args.name}`, ok: true };
        return { id: `${args.name}-id`, state: { ...computed, ...args.inputs } };
      },
      call: (args) => args.inputs,
    },
    "labfleet",
    "staging",
    false,
  );
  const cfg = stackConfig("staging");
  if (!cfg.gitlab.enabled || !cfg.hut.enabled) throw new Error("staging must enable gitlab and hut");
  gitlab = cfg.gitlab;
  repos = new RoleRepos("gitlab", {
    tags: { environment: cfg.environment, stack: "staging" },
    gitlab,
    token: pulumi.secret("glpat-admin-secret"),
    slotLabels: cfg.hut.slots.map((s) => s.label),
    stack: "staging",
  });
  await value(repos.infraBoundaryOk);
  await value(repos.roleEnv);
});

const byName = (name: string) => registered.find((r) => r.name === name)!;

describe("RoleRepos component (mock runtime)", () => {
  it("registers per role a project, bootstrap files, protected main and a token; a runner per slot; the infra boundary", () => {
    const types = registered.map((r) => `${r.type} ${r.name}`).sort();
    expect(types).toEqual(
      [
        "labfleet:gitlab:RoleRepos gitlab",
        "pulumi-nodejs:dynamic/gitlab:Group gitlab-ns-lab-agents-staging",
        ...["arch", "infra", "runner"].flatMap((r) => [
          `pulumi-nodejs:dynamic/gitlab:Project gitlab-${r}-project`,
          `pulumi-nodejs:dynamic/gitlab:BootstrapFiles gitlab-${r}-bootstrap`,
          `pulumi-nodejs:dynamic/gitlab:ProtectedBranch gitlab-${r}-main`,
          `pulumi-nodejs:dynamic/gitlab:ProjectAccessToken gitlab-${r}-token`,
        ]),
        "pulumi-nodejs:dynamic/gitlab:Runner gitlab-runner-esp32-hut-01",
        "pulumi-nodejs:dynamic/gitlab:Runner gitlab-runner-esp32-hut-02",
        "pulumi-nodejs:dynamic/gitlab:RoleBoundary gitlab-infra-boundary",
      ].sort(),
    );
  });

  it("projects: private, main, HTTPS, role as an input; the product repo is adopted", () => {
    expect(byName("gitlab-arch-project").inputs).toMatchObject({
      role: "arch",
      namespace: "lab-agents-staging",
      path: "product",
      visibility: "private",
      defaultBranch: "main",
      existing: true,
      gitlabUrl: "https://gitlab.lab.example.org",
    });
    expect(byName("gitlab-infra-project").inputs).toMatchObject({ role: "infra", path: "infra", existing: false });
    expect(repos.repoUrls).toEqual({
      arch: "https://gitlab.lab.example.org/lab-agents-staging/product.git",
      infra: "https://gitlab.lab.example.org/lab-agents-staging/infra.git",
      runner: "https://gitlab.lab.example.org/lab-agents-staging/runner.git",
    });
  });

  it("tokens carry the configured minimal scopes, access level, lifetime and rotation window", () => {
    expect(byName("gitlab-infra-token").inputs).toMatchObject({
      role: "infra",
      projectPath: "lab-agents-staging/infra",
      name: "labfleet-staging-infra",
      scopes: ["api", "read_repository", "write_repository"],
      accessLevel: "maintainer",
      lifetimeDays: 90,
      rotateBeforeDays: 14,
    });
    expect(byName("gitlab-arch-token").inputs).toMatchObject({ projectPath: "lab-agents-staging/product", accessLevel: "developer" });
  });

  it("runners: slot label as the only tag, locked, no untagged jobs, runner-role maximum timeout", () => {
    expect(byName("gitlab-runner-esp32-hut-02").inputs).toMatchObject({
      projectPath: "lab-agents-staging/runner",
      label: "esp32-hut-02",
      description: "labfleet:staging:esp32-hut-02",
      tagList: ["esp32-hut-02"],
      runUntagged: false,
      locked: true,
      maximumTimeout: 14400,
    });
  });

  it("bootstrap files are rendered from the templates (read order, boundaries, HTTPS remote)", () => {
    const files = byName("gitlab-infra-bootstrap").inputs.files as Record<string, { content: string; executable: boolean }>;
    expect(Object.keys(files).sort()).toEqual([
      "AGENTS.md",
      "documentation/coordination/handoff_log.md",
      "documentation/coordination/workstream_board.md",
      "scripts/invoke",
      "scripts/lib.sh",
      "scripts/lock",
      "scripts/report",
      "scripts/startup.sh",
    ]);
    const agents = files["AGENTS.md"]!.content;
    expect(agents).toContain("1. `AGENTS.md`\n2. `documentation/coordination/workstream_board.md`\n3. `documentation/coordination/handoff_log.md`");
    expect(agents).toContain("- Never clones, reads or edits the product repository");
    expect(agents).toContain("https://gitlab.lab.example.org/lab-agents-staging/infra.git");
    expect(agents).not.toMatch(/\{\{/);
    for (const s of ["scripts/startup.sh", "scripts/invoke", "scripts/report", "scripts/lock"]) expect(files[s], s).toMatchObject({ executable: true });
    expect(files["scripts/lib.sh"]).toMatchObject({ executable: false });
    expect(byName("gitlab-infra-bootstrap").inputs).toMatchObject({ updateVia: "push", branch: "main" });
  });

  it("the default layout: one namespace (the stack's group) holding all three roles; every project in it", () => {
    expect(byName("gitlab-ns-lab-agents-staging").inputs).toMatchObject({ fullPath: "lab-agents-staging", roles: ["arch", "infra", "runner"], create: true, visibility: "private" });
    for (const role of ["arch", "infra", "runner"]) expect(byName(`gitlab-${role}-project`).inputs).toMatchObject({ namespace: "lab-agents-staging" });
  });

  it("boundary: infra's bot user and token against the product project", () => {
    expect(byName("gitlab-infra-boundary").inputs).toMatchObject({
      productRole: "arch",
      productPath: "lab-agents-staging/product",
      subjectRole: "infra",
      subjectUserId: 77,
    });
  });

  it("secrets stay secret: admin token, role env files, runner tokens", async () => {
    expect(await pulumi.isSecret(repos.roleEnv)).toBe(true);
    expect(await pulumi.isSecret(repos.ciRunnerTokens)).toBe(true);
    const env = await value(repos.roleEnv);
    expect(env.infra).toBe(
      "# labfleet GitLab credentials of the infra role — secret, keep 0600, never commit\nGITLAB_HOST=gitlab.lab.example.org\nGITLAB_USER=project_4242_bot_abcd\nGITLAB_PAT=tok-gitlab-infra-token\n",
    );
    expect(Object.keys(await value(repos.ciRunnerTokens))).toEqual(["esp32-hut-01", "esp32-hut-02"]);
    expect(await value(repos.infraBoundaryOk)).toBe(true);
  });

  it("every provider serializes, and its serialized form runs in a plain node process without tsx", async () => {
    const seen = new Set<string>();
    for (const r of registered.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/gitlab:"))) {
      if (seen.has(r.type)) continue;
      seen.add(r.type);
      const serialized = r.inputs.__provider as string;
      expect(typeof serialized).toBe("string");
      expect(serialized).not.toContain(ROOT); // no absolute paths captured
      const called = callSerializedProvider(serialized, "check", [{}, { gitlabUrl: "http://gitlab.example.org", gitlabToken: "" }]);
      if (!called.ok) throw new Error(called.error);
      const props = ((called.result as { failures: { property: string }[] }).failures ?? []).map((f) => f.property);
      expect(props).toContain("gitlabUrl");
      expect(props).toContain("gitlabToken");
    }
    expect(seen.size).toBe(7);
  });
});
