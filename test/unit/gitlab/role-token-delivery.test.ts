import { describe, expect, it } from "vitest";
import * as token from "../../../components/gitlab/access-token-impl.ts";
import * as retirement from "../../../components/gitlab/token-retirement-impl.ts";
import { isSecretInput, ofType, one, runProgram } from "../../helpers/program.ts";

/** Two-phase role-token rotation: the wiring (plan) and the providers' diffs (what a preview shows). */

const TOKEN = "pulumi-nodejs:dynamic/gitlab:ProjectAccessToken";
const RETIRE = "pulumi-nodejs:dynamic/gitlab:TokenRetirement";
const FILE = "pulumi-nodejs:dynamic/lxd:LxdInstanceFile";
const ENV_PATH = "/home/runner/.config/labfleet/credentials/gitlab/gitlab.lab.example.org/runner.env";

describe("role tokens delivered to the runner hosts (plan)", () => {
  it("staging: the runner role's token is a successor token, delivered 0600 to the runner user, retired after the delivery", async () => {
    const run = await runProgram({ stack: "staging", secrets: { gitlabToken: "glpat-plan-secret" } });
    const handover = Object.fromEntries(ofType(run.resources, TOKEN).map((r) => [r.name, r.inputs.handover]));
    expect(handover).toEqual({ "gitlab-arch-token": "rotate", "gitlab-infra-token": "rotate", "gitlab-runner-token": "successor" });

    const file = one(run.resources, FILE, "runner-staging-01-gitlab-runner-env");
    expect(file.inputs).toMatchObject({ path: ENV_PATH, mode: "0600", owner: "runner", dirMode: "0700", instance: "runner-staging-01" });
    expect(isSecretInput(file, "content")).toBe(true);
    expect(file.additionalSecretOutputs).toContain("content");
    const tokenUrn = one(run.resources, TOKEN, "gitlab-runner-token").urn;
    expect(file.dependencies).toContain(tokenUrn);

    const retire = one(run.resources, RETIRE, "gitlab-runner-token-retire");
    expect(retire.inputs).toMatchObject({ role: "runner", name: "labfleet-staging-runner", projectPath: "lab-agents-staging/runner" });
    // the engine orders it after the delivery (and after the token, see the preview case)
    expect(retire.propertyDependencies.deliveredAs).toEqual([file.urn]);
    expect(retire.dependencies).toContain(file.urn);
    expect(isSecretInput(retire, "gitlabToken")).toBe(true);
    expect(JSON.stringify(run.resources.map((r) => r.redactedInputs))).not.toContain("glpat-plan-secret");
  });

  it("labfleet:gitlab.runnerHostRoles adds roles; each gets a file on every runner host and its own retirement", async () => {
    const run = await runProgram({
      stack: "staging",
      secrets: { gitlabToken: "x" },
      config: { "labfleet:gitlab": { ...(await stagingGitlab()), runnerHostRoles: ["runner", "infra"] } },
    });
    expect(ofType(run.resources, RETIRE).map((r) => r.name).sort()).toEqual(["gitlab-infra-token-retire", "gitlab-runner-token-retire"]);
    const infraFile = one(run.resources, FILE, "runner-staging-01-gitlab-infra-env");
    expect(infraFile.inputs.path).toBe(ENV_PATH.replace("runner.env", "infra.env"));
    expect(one(run.resources, RETIRE, "gitlab-infra-token-retire").propertyDependencies.deliveredAs).toEqual([infraFile.urn]);
    expect(one(run.resources, TOKEN, "gitlab-infra-token").inputs.handover).toBe("successor");
  });

  it("without runner hosts no token is delivered: every role token rotates through GitLab's rotate API, nothing to retire", async () => {
    const run = await runProgram({ stack: "staging", secrets: { gitlabToken: "x" }, config: { "labfleet:lxd": { enabled: false }, "labfleet:hut": { enabled: false } } });
    expect(ofType(run.resources, RETIRE)).toEqual([]);
    expect(ofType(run.resources, TOKEN).map((r) => r.inputs.handover)).toEqual(["rotate", "rotate", "rotate"]);
  });

  it("preview: the delivery and the retirement wait on values the token produces (unknown until the up)", async () => {
    const run = await runProgram({ stack: "staging", secrets: { gitlabToken: "x" }, preview: true });
    const retire = one(run.resources, RETIRE, "gitlab-runner-token-retire");
    expect(retire.propertyDependencies.keepTokenId).toEqual([one(run.resources, TOKEN, "gitlab-runner-token").urn]);
    expect(retire.redactedInputs.keepTokenId).toBe("[unknown]");
    expect(retire.redactedInputs.deliveredAs).toBe("[unknown]");
    expect(one(run.resources, FILE, "runner-staging-01-gitlab-runner-env").redactedInputs.content).toMatch(/^\[(secret|unknown)\]$/);
  });
});

async function stagingGitlab(): Promise<Record<string, unknown>> {
  const { parse } = await import("yaml");
  const { readFileSync } = await import("node:fs");
  return (parse(readFileSync("Pulumi.staging.yaml", "utf8")) as { config: Record<string, Record<string, unknown>> }).config["labfleet:gitlab"]!;
}

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe("diffs a preview shows", () => {
  const stored = {
    gitlabUrl: "https://gitlab.example.org",
    gitlabToken: "glpat-admin",
    role: "runner",
    projectId: 7,
    projectPath: "lab/runner",
    name: "labfleet-staging-runner",
    description: "",
    scopes: ["read_repository", "write_repository"],
    accessLevel: "developer",
    lifetimeDays: 90,
    rotateBeforeDays: 14,
    handover: "successor",
    tokenId: 41,
    token: "glpat-old",
    expiresAt: day(60),
    userId: 9,
    botUsername: "project_7_bot_x",
    active: true,
    revoked: false,
  };
  const { tokenId: _t, token: _s, expiresAt: _e, userId: _u, botUsername: _b, active: _a, revoked: _r, ...inputs } = stored;

  it("a successor token is an in-place update when due, nothing otherwise; the new handover key alone changes nothing", async () => {
    expect(await token.diff("7:x", stored, inputs)).toEqual({ changes: false, replaces: [] });
    expect(await token.diff("7:x", { ...stored, expiresAt: day(10) }, inputs)).toEqual({ changes: true, replaces: [] });
    const { handover: _h, ...before } = stored;
    expect(await token.diff("7:x", before, { ...inputs, handover: "rotate" })).toEqual({ changes: false, replaces: [] });
    expect((await token.diff("7:x", before, inputs)).changes).toBe(true);
  });

  it("the retirement runs again when the kept token or the delivery changed, or a refresh found predecessors", async () => {
    const r = { ...inputs, keepTokenId: 41, deliveredAs: ["sha-a"] };
    const { scopes: _sc, accessLevel: _al, lifetimeDays: _l, rotateBeforeDays: _rb, handover: _h, description: _d, ...ret } = r;
    const state = { ...ret, retiredTokenIds: [40], leftoverTokenIds: [] };
    expect(await retirement.diff("x", state, ret)).toEqual({ changes: false, replaces: [] });
    expect((await retirement.diff("x", state, { ...ret, keepTokenId: 42 })).changes).toBe(true);
    expect((await retirement.diff("x", state, { ...ret, deliveredAs: ["sha-b"] })).changes).toBe(true);
    expect((await retirement.diff("x", { ...state, leftoverTokenIds: [40] }, ret)).changes).toBe(true);
    expect(await retirement.check({}, { ...ret, keepTokenId: 0 })).toMatchObject({ failures: [{ property: "keepTokenId" }] });
  });
});
