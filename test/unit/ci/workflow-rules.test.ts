import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow, statusChecksOf, WorkflowError } from "../../../components/github/workflow.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { checkRepository } from "../../../tools/workflows/check.ts";
import { codeownersFindings, ownersOf } from "../../../tools/workflows/codeowners.ts";
import { checkWorkflow, type Finding, formatFinding } from "../../../tools/workflows/rules.ts";
import { runTs } from "../../helpers/cli.ts";

const FIXTURES = join(ROOT, "test/fixtures/workflows");
const fixture = (name: string) => parseWorkflow(`.github/workflows/${name}`, readFileSync(join(FIXTURES, name), "utf8"));
const brief = (fs: Finding[]) => fs.map((f) => `${f.file}:${f.line} ${f.job} ${f.rule}`);

describe("workflow rules on the repository's own workflows", () => {
  it("pr.yml and deploy.yml, the approved surface and CODEOWNERS are clean", () => {
    expect(checkRepository(ROOT).map(formatFinding)).toEqual([]);
  });

  it("npm run workflows exits 0 on the repository", () => {
    const r = runTs("tools/workflows/check.ts", []);
    expect(r.stdout).toContain("workflows: clean");
    expect(r.status).toBe(0);
  }, 120_000);
});

describe("each rule fails on its broken copy, naming file, job and line", () => {
  it("workflow-permissions: no top-level block, a job without its own", () => {
    const fs = checkWorkflow(fixture("permissions-missing.yml"));
    expect(brief(fs.filter((f) => f.rule === "workflow-permissions"))).toEqual([
      ".github/workflows/permissions-missing.yml:1 (workflow) workflow-permissions",
      ".github/workflows/permissions-missing.yml:7 build workflow-permissions",
    ]);
    expect(formatFinding(fs[1]!)).toBe(
      ".github/workflows/permissions-missing.yml:7: job build: [workflow-permissions] has no `permissions` block: it inherits the workflow's. Fix: give the job an explicit `permissions` block with only the scopes it uses",
    );
  });

  it("workflow-permissions: writes at the top level, write-all on a job (which also grants id-token)", () => {
    expect(brief(checkWorkflow(fixture("permissions-write-all.yml")))).toEqual([
      ".github/workflows/permissions-write-all.yml:7 (workflow) workflow-permissions",
      ".github/workflows/permissions-write-all.yml:11 release workflow-permissions",
      ".github/workflows/permissions-write-all.yml:11 release id-token-only-for-oidc",
    ]);
  });

  it("no-pull-request-target", () => {
    const fs = checkWorkflow(fixture("pull-request-target.yml"));
    expect(brief(fs)).toEqual([".github/workflows/pull-request-target.yml:4 label no-pull-request-target"]);
    expect(fs[0]!.message).toContain("a fork's pull request would run with this repository's secrets");
  });

  it("no-secrets-in-pr-jobs: a repository secret, not the job's GITHUB_TOKEN", () => {
    const fs = checkWorkflow(fixture("secrets-in-pr.yml"));
    expect(brief(fs)).toEqual([".github/workflows/secrets-in-pr.yml:17 test no-secrets-in-pr-jobs"]);
    expect(fs[0]!.message).toBe("reads secrets.NPM_TOKEN but a pull request can run it (on: pull_request)");
  });

  it("actions-pinned: tags, branches and image tags fail; local actions and commit pins pass", () => {
    const fs = checkWorkflow(fixture("unpinned.yml"));
    expect(brief(fs)).toEqual([
      ".github/workflows/unpinned.yml:14 lint actions-pinned",
      ".github/workflows/unpinned.yml:15 lint actions-pinned",
      ".github/workflows/unpinned.yml:16 lint actions-pinned",
    ]);
    expect(fs.map((f) => f.message.split(",")[0])).toEqual(["uses actions/checkout@v4", "uses some-org/lint-action@main", "uses docker://alpine:3.20"]);
  });

  it("id-token-only-for-oidc: only the job without an OIDC step", () => {
    expect(brief(checkWorkflow(fixture("id-token-unused.yml")))).toEqual([".github/workflows/id-token-unused.yml:13 docs id-token-only-for-oidc"]);
  });

  it("unreadable workflows: the error names the file, line and key", () => {
    expect(() => parseWorkflow("w.yml", "on: push\njobs:\n  a: [1\n")).toThrow(/^w\.yml:\d+: not valid YAML/);
    expect(() => parseWorkflow("w.yml", "on: push\npermissions:\n  contents: admin\njobs: {}\n")).toThrow(WorkflowError);
    expect(() => parseWorkflow("w.yml", "on: push\npermissions:\n  contents: admin\njobs: {}\n")).toThrow(/^w\.yml:2: permissions: /);
  });
});

describe("required status checks from a workflow", () => {
  it("job names, with GitHub's matrix suffix", () => {
    const pw = parseWorkflow("pr.yml", "on: pull_request\njobs:\n  lint:\n    name: Lint\n    steps: []\n  test:\n    strategy:\n      matrix:\n        node: [20, 22]\n        os: [linux]\n    steps: []\n");
    expect(statusChecksOf(pw)).toEqual(["Lint", "test (20, linux)", "test (22, linux)"]);
    const expr = parseWorkflow("pr.yml", `on: pull_request\njobs:\n  a:\n    name: $\{{ matrix.x }}\n    steps: []\n`);
    expect(() => statusChecksOf(expr)).toThrow(/^pr\.yml:4: job a: its name is an expression/);
  });
});

describe("the repository approval (policies/approvals/repository.json)", () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A copy of the repository's governed files in a temporary root. */
  function copy(): string {
    root = mkdtempSync(join(tmpdir(), "labfleet-workflows-"));
    for (const p of [".github", "package.json", "policies/package.json", "policies/approvals/repository.json"]) {
      mkdirSync(join(root, p, ".."), { recursive: true });
      cpSync(join(ROOT, p), join(root, p), { recursive: true });
    }
    return root;
  }
  const edit = (p: string, f: (s: string) => string) => writeFileSync(join(root, p), f(readFileSync(join(root, p), "utf8")));

  it("a new trigger, a widened job permission and a new dependency need approval; narrowing does not", () => {
    copy();
    edit(".github/workflows/deploy.yml", (s) => s.replace("  workflow_dispatch:\n", "  workflow_dispatch:\n  schedule:\n    - cron: '0 3 * * *'\n"));
    edit(".github/workflows/pr.yml", (s) => s.replace("    permissions:\n      contents: read\n", "    permissions:\n      contents: read\n      packages: write\n"));
    edit("package.json", (s) => s.replace('"commander": "14.0.3",', '"commander": "14.0.3",\n    "left-pad": "1.3.0",'));
    const fs = checkRepository(root).filter((f) => f.rule === "workflow-approval");
    const line = (p: string, needle: string) => readFileSync(join(root, p), "utf8").split("\n").findIndex((l) => l.includes(needle)) + 1;
    expect(brief(fs)).toEqual([
      `.github/workflows/deploy.yml:${line(".github/workflows/deploy.yml", "schedule:")} (workflow) workflow-approval`,
      `.github/workflows/pr.yml:${line(".github/workflows/pr.yml", "    permissions:")} checks workflow-approval`,
      `package.json:${line("package.json", '"left-pad"')} - workflow-approval`,
    ]);
    expect(fs.map((f) => f.message)).toEqual([
      "adds the trigger schedule since its approval",
      "widens packages from none to write since its approval",
      "adds the dependency left-pad without an approval",
    ]);
    expect(fs[0]!.fix).toContain("npm run approve -- --repository");
    const r = runTs("tools/workflows/check.ts", ["--root", root]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("package.json");

    edit(".github/workflows/pr.yml", (s) => s.replace("      packages: write\n", "").replace("      pull-requests: write\n", ""));
    edit(".github/workflows/deploy.yml", (s) => s.replace("  schedule:\n    - cron: '0 3 * * *'\n", ""));
    edit("package.json", (s) => s.replace('    "left-pad": "1.3.0",\n', "").replace('    "qrcode": "1.5.4",\n', ""));
    expect(checkRepository(root)).toEqual([]);
  }, 120_000);

  it("a new workflow needs approval, and so does a filter change of an approved trigger", () => {
    copy();
    cpSync(join(FIXTURES, "id-token-unused.yml"), join(root, ".github/workflows/docs.yml"));
    edit(".github/workflows/pr.yml", (s) => s.replace("  pull_request:\n    branches: [main]\n", "  pull_request:\n    branches: [main, 'release/**']\n"));
    expect(brief(checkRepository(root).filter((f) => f.rule === "workflow-approval"))).toEqual([
      ".github/workflows/docs.yml:1 (workflow) workflow-approval",
      `.github/workflows/pr.yml:${readFileSync(join(root, ".github/workflows/pr.yml"), "utf8").split("\n").indexOf("  pull_request:") + 1} (workflow) workflow-approval`,
    ]);
  });

  it("approve --repository --check: the committed record is up to date; exactly one of --stack/--repository", () => {
    root = mkdtempSync(join(tmpdir(), "labfleet-workflows-"));
    const up = runTs("tools/approve/cli.ts", ["--repository", "--check"]);
    expect(up.stdout).toContain("policies/approvals/repository.json is up to date");
    expect(up.status).toBe(0);
    const both = runTs("tools/approve/cli.ts", ["--repository", "--stack", "local"]);
    expect(both.stderr).toContain("exactly one of --stack <name> or --repository");
    expect(both.status).toBe(2);
  }, 180_000);

  it("unreadable input exits 2 with the file named", () => {
    copy();
    writeFileSync(join(root, ".github/workflows/bad.yml"), "on: push\njobs: [\n");
    const r = runTs("tools/workflows/check.ts", ["--root", root]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\.github\/workflows\/bad\.yml:\d+: not valid YAML/);
  }, 120_000);
});

describe("CODEOWNERS coverage", () => {
  it("the committed file gives every guarded path an owner", () => {
    expect(codeownersFindings(ROOT)).toEqual([]);
    const text = readFileSync(join(ROOT, ".github/CODEOWNERS"), "utf8");
    expect(ownersOf(text, ".github/workflows/deploy.yml")?.owners).toEqual(["@example-lab/governance"]);
  });

  it("a path without owner, or whose last matching line lists none, is named", () => {
    const dir = mkdtempSync(join(tmpdir(), "labfleet-codeowners-"));
    try {
      mkdirSync(join(dir, ".github"));
      writeFileSync(join(dir, ".github/CODEOWNERS"), "/policies/ @gov\n/package.json @gov\n/package.json\n.github/ @gov\n");
      expect(codeownersFindings(dir).map((f) => `${f.line}: ${f.message}`)).toEqual([
        "3: gives package.json no owner (its last matching line lists none)",
        "1: gives package-lock.json no owner",
      ]);
      rmSync(join(dir, ".github/CODEOWNERS"));
      expect(codeownersFindings(dir).map((f) => f.message)).toEqual(["is missing, so nothing needs the governance owners' review"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
