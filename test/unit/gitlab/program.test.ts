import { describe, expect, it } from "vitest";
import { isSecretInput, ofType, runProgram } from "../../helpers/program.ts";

const DYNAMIC = /^pulumi-nodejs:dynamic\/gitlab:/;

describe("program wiring of labfleet:gitlab", () => {
  it("local (gitlab off) registers no GitLab resources and exports no gitlab outputs", async () => {
    const run = await runProgram({ stack: "local" });
    expect(run.resources.filter((r) => DYNAMIC.test(r.type) || r.type === "labfleet:gitlab:RoleRepos")).toEqual([]);
    expect(Object.keys(run.outputs.plain as object).filter((k) => k.startsWith("gitlab"))).toEqual([]);
  });

  it("staging: the admin token is a secret input everywhere, the infra token a secret input of the boundary; outputs are secret", async () => {
    const run = await runProgram({ stack: "staging", secrets: { gitlabToken: "glpat-plan-secret" } });
    const gitlab = run.resources.filter((r) => DYNAMIC.test(r.type));
    expect(gitlab).toHaveLength(20); // 3 × (project, bootstrap, main, token), 2 runners, boundary, runner-token retirement, the shared namespace, the hardware lane's 2 CI variables and health schedule
    for (const r of gitlab) {
      expect(isSecretInput(r, "gitlabToken"), r.name).toBe(true);
      expect(JSON.stringify(r.redactedInputs), r.name).not.toContain("glpat-plan-secret");
      expect(r.additionalSecretOutputs, r.name).toContain("gitlabToken");
    }
    for (const r of [...ofType(gitlab, "pulumi-nodejs:dynamic/gitlab:ProjectAccessToken"), ...ofType(gitlab, "pulumi-nodejs:dynamic/gitlab:Runner")]) {
      expect(r.additionalSecretOutputs, r.name).toContain("token");
    }
    const boundary = ofType(gitlab, "pulumi-nodejs:dynamic/gitlab:RoleBoundary")[0]!;
    expect(boundary.inputs).toMatchObject({ subjectRole: "infra", productRole: "arch", productPath: "lab-agents-staging/product" });
    expect(run.outputs.secretPaths).toEqual(expect.arrayContaining(["gitlabRoleEnv", "gitlabRunnerTokens"]));
    expect((run.outputs.plain as Record<string, unknown>).gitlabRepos).toEqual({
      arch: "https://gitlab.lab.example.org/lab-agents-staging/product.git",
      infra: "https://gitlab.lab.example.org/lab-agents-staging/infra.git",
      runner: "https://gitlab.lab.example.org/lab-agents-staging/runner.git",
    });
  });

  it("the runners follow the HUT slot labels of the stack", async () => {
    const run = await runProgram({ stack: "production", secrets: { gitlabToken: "x" } });
    const labels = ofType(run.resources, "pulumi-nodejs:dynamic/gitlab:Runner").map((r) => r.inputs.label);
    expect(labels).toEqual(["esp32-hut-01", "esp32-hut-02"]);
  });
});
