import { describe, expect, it } from "vitest";
import { renderBootstrap, repoUrl } from "../../../components/gitlab/templates.ts";
import { ConfigError, parseStackConfig } from "../../../stacks/config/index.ts";
import { DEFAULT_TEMPLATES } from "../../../components/gitlab/contract-templates.ts";
import { ROLE_DEFINITIONS } from "../../../components/gitlab/role-contract.ts";
import type { GitlabConfig } from "../../../components/gitlab/settings.ts";

const BASE = {
  url: "https://gitlab.lab.example.org",
  group: "lab-agents",
  roles: { arch: { path: "product", existing: true }, infra: { path: "infra" }, runner: { path: "runner" } },
};

function parse(gitlab: unknown) {
  return parseStackConfig({ values: { gitlab: JSON.stringify(gitlab), gitlabToken: "x" }, secretKeys: new Set() }, "local");
}

function problems(gitlab: unknown): string[] {
  try {
    parse(gitlab);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
    throw err;
  }
  return [];
}

function enabled(gitlab: unknown): GitlabConfig {
  const g = parse(gitlab).gitlab;
  if (!g.enabled) throw new Error("gitlab should be enabled");
  return g;
}

describe("labfleet:gitlab config", () => {
  it("fills defaults: developer tokens with read/write repository, 90/14 days, maintainers-only main, runner-role timeout", () => {
    const g = enabled(BASE);
    expect(g.roles.infra).toMatchObject({ existing: false, tokenScopes: ["read_repository", "write_repository"], accessLevel: "developer" });
    expect(g).toMatchObject({ tokenLifetimeDays: 90, rotateBeforeDays: 14 });
    expect(g.protection).toEqual({ push: "maintainers", merge: "maintainers" });
    expect(g.runners).toEqual({ maximumTimeoutSeconds: 14400, accessLevel: "not_protected", descriptionPrefix: "labfleet" });
    expect(Object.keys(g.bootstrap.files)).toEqual(Object.keys(DEFAULT_TEMPLATES));
    expect(g.roles.infra.boundaries.join(" ")).toMatch(/Never clones, reads or edits the product repository; it has no access to it/);
    expect(g.roles.infra.namespace).toBeUndefined(); // the default namespace: labfleet:gitlab.group
    expect(g.namespaces).toEqual({ create: true });
    expect(g.bootstrap.executable).toEqual(["scripts/invoke", "scripts/report", "scripts/lock", "scripts/startup.sh"]);
  });

  it("is off without the key, and requires labfleet:gitlabToken when on", () => {
    expect(parseStackConfig({ values: {}, secretKeys: new Set() }, "local").gitlab).toEqual({ enabled: false });
    expect(() => parseStackConfig({ values: { gitlab: JSON.stringify(BASE) }, secretKeys: new Set() }, "local")).toThrow(
      /labfleet:gitlabToken: required because gitlab is enabled/,
    );
  });

  it("names the exact key of every problem", () => {
    const out = problems({
      ...BASE,
      url: "http://gitlab.lab.example.org",
      roles: { ...BASE.roles, runner: { path: "PRODUCT", tokenScopes: ["sudo"] } },
      rotateBeforeDays: 90,
      runners: { maximumTimeoutSeconds: 20000 },
      bootstrap: { files: { "AGENTS.md": "{{role}} {{secret}}", "../escape.md": "x" } },
    });
    expect(out).toContain("labfleet:gitlab.url: must be an https:// URL");
    expect(out.some((p) => /^labfleet:gitlab\.roles\.runner\.tokenScopes\[0\]: Invalid option/.test(p))).toBe(true);
    expect(out).toContain("labfleet:gitlab.runners.maximumTimeoutSeconds: must not exceed the runner role limit of 14400s");
    expect(out).toContain("labfleet:gitlab.bootstrap.files.../escape.md: Invalid key in record");
    const second = problems({ ...BASE, roles: { ...BASE.roles, runner: { path: "PRODUCT" } }, rotateBeforeDays: 90, bootstrap: { files: { "AGENTS.md": "{{role}} {{secret}}" } } });
    expect(second).toEqual(
      expect.arrayContaining([
        "labfleet:gitlab.rotateBeforeDays: must be less than tokenLifetimeDays (90)",
        "labfleet:gitlab.roles.runner.path: same project (lab-agents/product) as roles.arch",
        "labfleet:gitlab.bootstrap.files.AGENTS.md: unknown placeholder {{secret}} (known: role, title, context, project, repoUrl, host, group, namespace, stack, readOrder, responsibilities, boundaries, discovery, scripts, roles, board, boardStatuses, handoffFormat)",
        "labfleet:gitlab.bootstrap.files: must contain documentation/coordination/workstream_board.md",
        "labfleet:gitlab.bootstrap.files: must contain scripts/invoke",
        "labfleet:gitlab.bootstrap.executable[0]: scripts/invoke is not in bootstrap.files",
      ]),
    );
  });

  it("rejects unknown keys", () => {
    expect(problems({ ...BASE, password: "x" })).toContain("labfleet:gitlab.password: unknown key");
  });

  it("renders every default template without leftover placeholders, per role", () => {
    const g = enabled(BASE);
    for (const role of ["arch", "infra", "runner"] as const) {
      const files = renderBootstrap(g, role, "staging");
      for (const [path, f] of Object.entries(files)) expect(f.content, path).not.toMatch(/\{\{/);
      expect(files["AGENTS.md"]!.content).toContain(`# ${role} — ${ROLE_DEFINITIONS[role].title}: start here`);
      expect(files["AGENTS.md"]!.content).toContain("| runner | Runner Agent | lab-agents/runner | https://gitlab.lab.example.org/lab-agents/runner.git |");
      expect(files["AGENTS.md"]!.content).toContain("credentials/gitlab/gitlab.lab.example.org/");
    }
    expect(repoUrl(g, "arch")).toBe("https://gitlab.lab.example.org/lab-agents/product.git");
  });

  it("custom templates and read order flow into the files", () => {
    const g = enabled({
      ...BASE,
      bootstrap: {
        files: { ...DEFAULT_TEMPLATES, "AGENTS.md": "{{project}}\n{{readOrder}}\n{{boundaries}}\n", "scripts/check.sh": "#!/bin/sh\n" },
        executable: ["scripts/check.sh"],
        readOrder: ["AGENTS.md", "documentation/coordination/handoff_log.md"],
      },
      roles: { ...BASE.roles, infra: { path: "infra", boundaries: ["Only infra."] } },
    });
    const files = renderBootstrap(g, "infra", "staging");
    expect(files["AGENTS.md"]!.content).toBe("lab-agents/infra\n1. `AGENTS.md`\n2. `documentation/coordination/handoff_log.md`\n- Only infra.\n");
    expect(files["scripts/check.sh"]).toEqual({ content: "#!/bin/sh\n", executable: true, seed: false });
    expect(files["scripts/startup.sh"]!.executable).toBe(false);
  });
});
