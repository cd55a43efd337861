import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../../tools/plan/run.ts";
import { runProgram } from "../../helpers/program.ts";
import { ofType } from "./fixtures.ts";

const stagingCi = (parse(readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8")) as { config: Record<string, { gcp: Record<string, unknown> }> }).config["labfleet:ci"]!;

describe("GCP API enablement without the CI identity (a fresh project, ci.gcp off)", () => {
  it("the console enables iam and cloudresourcemanager itself, and its accounts and bindings wait for them", async () => {
    const run = await runProgram({ stack: "staging", config: { "labfleet:ci": { ...stagingCi, gcp: { enabled: false } } } });
    expect(ofType(run, "labfleet:ci:CiIdentity")).toHaveLength(1);
    expect(ofType(run, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")).toEqual([]);
    const services = ofType(run, "gcp:projects/service:Service");
    const byApi = new Map(services.map((s) => [s.inputs.service as string, s]));
    expect(byApi.size).toBe(services.length);
    const needed = ["iam.googleapis.com", "cloudresourcemanager.googleapis.com"].map((api) => byApi.get(api)?.urn);
    expect(needed.every((u) => u !== undefined)).toBe(true);
    for (const api of needed.map((u) => services.find((s) => s.urn === u)!)) expect(api.inputs).toMatchObject({ project: "labfleet-staging", disableOnDestroy: false });
    const identity = [...ofType(run, "gcp:serviceaccount/account:Account"), ...ofType(run, "gcp:projects/iAMMember:IAMMember"), ...ofType(run, "gcp:serviceaccount/iAMMember:IAMMember")];
    expect(identity.length).toBeGreaterThan(3);
    for (const r of identity) expect(r.dependencies, r.name).toEqual(expect.arrayContaining(needed));
  });
});
