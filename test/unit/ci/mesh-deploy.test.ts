import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflow } from "../../../components/github/workflow.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { loadWorkflows } from "../../../tools/workflows/surface.ts";
import { hardwareStacks, meshDeployFindings } from "../../../tools/workflows/mesh.ts";

/** The rule hardware-deploys-in-mesh (tools/workflows/mesh.ts). */

const workflow = (runsOn: string, stackName = `$\{{ matrix.stack }}`, matrix = "[lab, cloud]") =>
  parseWorkflow(
    ".github/workflows/deploy.yml",
    `name: deploy
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ${runsOn}
    permissions:
      contents: read
    strategy:
      matrix:
        stack: ${matrix}
    steps:
      - uses: pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58 # v6.6.1
        with:
          command: up
          stack-name: ${stackName}
`,
  );

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function stacks(): string {
  root = mkdtempSync(join(tmpdir(), "mesh-rule-"));
  writeFileSync(join(root, "Pulumi.lab.yaml"), 'config:\n  labfleet:hut:\n    slots:\n      - id: hut-01\n');
  writeFileSync(join(root, "Pulumi.cloud.yaml"), "config:\n  labfleet:hut:\n    enabled: false\n    slots: [{ id: hut-01 }]\n  labfleet:lxd:\n    runners: []\n");
  return root;
}

describe("hardware-deploys-in-mesh", () => {
  it("finds the stacks with HUT slots or runner hosts (the repository's: staging, production, local)", () => {
    expect([...hardwareStacks(stacks())]).toEqual(["lab"]);
    expect([...hardwareStacks(ROOT)].sort()).toEqual(["local", "production", "staging"]);
  });

  it("a GitHub-hosted runner deploying a hardware stack is a finding naming file, job, line and the fix", () => {
    const fs = meshDeployFindings([workflow("ubuntu-24.04")], stacks());
    expect(fs.map((f) => `${f.file}:${f.line} ${f.job} ${f.rule}`)).toEqual([".github/workflows/deploy.yml:7 deploy hardware-deploys-in-mesh"]);
    expect(fs[0]!.message).toContain("deploys lab, which has HUT slots or runner hosts");
    expect(fs[0]!.fix).toBe("run the job on a self-hosted runner inside the mesh: runs-on: [self-hosted, labfleet-mesh]");
  });

  it("passes on [self-hosted, labfleet-mesh], and for a stack without hardware on any runner", () => {
    expect(meshDeployFindings([workflow("[self-hosted, labfleet-mesh]")], stacks())).toEqual([]);
    expect(meshDeployFindings([workflow("ubuntu-24.04", "cloud", "[x]")], stacks())).toEqual([]);
    expect(meshDeployFindings([workflow("[self-hosted]")], stacks())).toHaveLength(1);
  });

  it("the repository's deploy workflow runs in the mesh", () => {
    expect(meshDeployFindings(loadWorkflows(ROOT), ROOT)).toEqual([]);
  });
});
