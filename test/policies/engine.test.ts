import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, type StackValidationPolicy, UnknownValueError, validateResourceOfType } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import {
  evaluate,
  type PackDefinition,
  PolicyConfigError,
  reconcilePolicyConfig,
  resourceValidationArgs,
  stackValidationArgs,
} from "../../tools/plan/policy-engine.ts";
import { policies } from "../../policies/pack.ts";
import { res, unknown } from "./helpers.ts";

const pack = (ps: PackDefinition["policies"], level: PackDefinition["enforcementLevel"] = "advisory"): PackDefinition => ({
  name: "t",
  version: "1.0.0",
  enforcementLevel: level,
  policies: ps,
});

describe("policy config (CLI reconciliation)", () => {
  it("fills schema defaults, applies per-policy properties, levels and `all`", () => {
    const c = reconcilePolicyConfig(policies, {
      all: "advisory",
      "rds-hardening": { minBackupDays: 14 },
      "required-tags": "disabled",
    });
    expect(c.get("rds-hardening")).toEqual({ enforcementLevel: "advisory", properties: { minBackupDays: 14, productionEnvironments: ["production"] } });
    expect(c.get("required-tags")?.enforcementLevel).toBe("disabled");
    expect(c.get("cloudsql-hardening")?.properties.minBackupDays).toBe(7);
    expect(c.get("iam-change-approval")?.properties).toEqual({ approvals: [] });
  });

  it("rejects invalid values with the policy and key named", () => {
    expect(() => reconcilePolicyConfig(policies, { "rds-hardening": { minBackupDays: 0 } })).toThrow(PolicyConfigError);
    expect(() => reconcilePolicyConfig(policies, { "rds-hardening": { minBackupDays: 0 } })).toThrow(/rds-hardening\.minBackupDays/);
    expect(() => reconcilePolicyConfig(policies, { "lb-https-only": "sometimes" })).toThrow(/lb-https-only: "sometimes" is not a valid enforcement level/);
    expect(() => reconcilePolicyConfig(policies, { "iam-change-approval": { approvals: [{ urn: "u", fingerprint: "md5:x" }] } })).toThrow(
      /iam-change-approval\.approvals\.0\.fingerprint/,
    );
  });
});

describe("ResourceValidationArgs / StackValidationArgs", () => {
  const db = res("aws:rds/instance:Instance", "db", { storageEncrypted: unknown.boolean, tags: { a: "b" }, skipped: undefined }, {
    protect: true,
    ignoreChanges: ["tags"],
    parent: "urn:pulumi:staging::labfleet::labfleet:aws:AwsConsole::c",
    provider: "urn:pulumi:staging::labfleet::pulumi:providers:aws::p::id-1",
    customTimeouts: { createSeconds: 60 },
  });
  const prov = res("pulumi:providers:aws", "p", { region: "eu-central-1" });

  it("wraps props like the engine: unknowns throw, undefined keys do not exist", () => {
    const args = resourceValidationArgs(db, { resources: [db, prov], stackTags: { team: "lab" }, config: { x: 1 } });
    expect(() => args.props.storageEncrypted).toThrow(UnknownValueError);
    expect(args.props.tags.a).toBe("b");
    expect(Object.keys(args.props)).toEqual(["storageEncrypted", "tags"]);
    expect(args.isType(aws.rds.Instance)).toBe(true);
    expect(args.isType(aws.rds.Cluster)).toBe(false);
    expect(args.asType(aws.rds.Cluster)).toBeUndefined();
    expect(args.opts).toEqual({
      protect: true,
      ignoreChanges: ["tags"],
      aliases: [],
      customTimeouts: { createSeconds: 60, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      parent: db.parent,
    });
    expect(args.stackTags.get("team")).toBe("lab");
    expect(args.getConfig()).toEqual({ x: 1 });
    expect(args.provider?.type).toBe("pulumi:providers:aws");
    expect(args.provider?.props.region).toBe("eu-central-1");
    expect(() => args.notApplicable("nope")).toThrow("nope");
  });

  it("resolves parent, dependencies and propertyDependencies to resources", () => {
    const sg = res("aws:ec2/securityGroup:SecurityGroup", "sg", {});
    const lb = res("aws:lb/loadBalancer:LoadBalancer", "lb", {}, { dependencies: [sg.urn, "urn:missing"], propertyDependencies: { securityGroups: [sg.urn] }, parent: sg.urn });
    const args = stackValidationArgs([sg, lb]);
    const r = args.resources[1]!;
    expect(r.parent?.name).toBe("sg");
    expect(r.dependencies.map((d) => d.name)).toEqual(["sg"]);
    expect(r.propertyDependencies.securityGroups?.[0]?.type).toBe("aws:ec2/securityGroup:SecurityGroup");
  });
});

describe("evaluate (analyzer server semantics)", () => {
  const readsUnknown: ResourceValidationPolicy = {
    name: "reads-unknown",
    description: "reads a prop",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
      if (!db.storageEncrypted) report("not encrypted");
    }),
  };

  it("downgrades a rule that trips over an unknown to an advisory 'can't run' note, as the server does", async () => {
    const vs = await evaluate(pack([readsUnknown]), { resources: [res("aws:rds/instance:Instance", "db", { storageEncrypted: unknown.boolean })] });
    expect(vs).toEqual([
      {
        policy: "reads-unknown",
        enforcementLevel: "advisory",
        urn: "urn:pulumi:staging::labfleet::aws:rds/instance:Instance::db",
        message: "can't run policy 'reads-unknown' from policy pack 't@v1.0.0' during preview: boolean value at .storageEncrypted can't be known during preview",
      },
    ]);
  });

  it("prefixes the description, attributes to the resource, honours config levels, skips other types", async () => {
    const db = res("aws:rds/instance:Instance", "db", { storageEncrypted: false });
    const other = res("aws:s3/bucket:Bucket", "b", {});
    expect(await evaluate(pack([readsUnknown]), { resources: [db, other] })).toEqual([
      { policy: "reads-unknown", enforcementLevel: "mandatory", urn: db.urn, message: "reads a prop\nnot encrypted" },
    ]);
    expect(await evaluate(pack([readsUnknown]), { resources: [db], policyConfig: { "reads-unknown": "disabled" } })).toEqual([]);
    const [v] = await evaluate(pack([readsUnknown]), { resources: [db], policyConfig: { "reads-unknown": "remediate" } });
    expect(v?.enforcementLevel).toBe("mandatory");
  });

  it("uses the pack level when a policy has none, and supports the object form of reportViolation", async () => {
    const p: StackValidationPolicy = {
      name: "stacky",
      description: "d",
      validateStack: (args, report) => {
        report("plain");
        (report as unknown as (v: object) => void)({ message: "custom", enforcementLevel: "advisory", urn: args.resources[0]?.urn });
        report("elsewhere", "urn:not-in-stack");
      },
    };
    const r = res("aws:s3/bucket:Bucket", "b", {});
    expect(await evaluate(pack([p], "mandatory"), { resources: [r] })).toEqual([
      { policy: "stacky", enforcementLevel: "mandatory", message: "d\nplain" },
      { policy: "stacky", enforcementLevel: "advisory", message: "custom", urn: r.urn },
      { policy: "stacky", enforcementLevel: "mandatory", message: "d\nelsewhere" },
    ]);
  });

  it("fails the run when a rule throws, naming the policy", async () => {
    const bad: ResourceValidationPolicy = {
      name: "bad",
      description: "d",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await expect(evaluate(pack([bad]), { resources: [res("aws:s3/bucket:Bucket", "b", {})] })).rejects.toThrow(/policy 'bad' from policy pack 't@v1.0.0': boom/);
  });
});
