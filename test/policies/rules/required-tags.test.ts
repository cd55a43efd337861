import { describe, expect, it } from "vitest";
import { check, res, unknown } from "../helpers.ts";

const tags = { environment: "staging", component: "aws/AwsConsole", "managed-by": "pulumi" };

describe("required-tags (advisory)", () => {
  it("passes tagged AWS resources, labelled GCP resources and untaggable types", async () => {
    const vs = await check("required-tags", [
      res("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16", tags }),
      res("gcp:sql/databaseInstance:DatabaseInstance", "sql", { settings: { userLabels: { environment: "staging", component: "gcp_gcpconsole", "managed-by": "pulumi" } } }),
      res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "x" }),
      res("aws:ec2/subnet:Subnet", "s", { tags: unknown.object }),
    ]);
    expect(vs).toEqual([]);
  });
  it("reports missing tags and a taggable resource without tags, as advisory", async () => {
    const vs = await check("required-tags", [res("aws:ec2/vpc:Vpc", "vpc", { tags: { environment: "staging" } }), res("aws:rds/instance:Instance", "db", {})]);
    expect(vs.map((v) => [v.enforcementLevel, v.message.split("\n")[1]])).toEqual([
      ["advisory", "aws:ec2/vpc:Vpc::vpc lacks tags component, managed-by. Fix: create it in a LabComponent with tags: this.tags()"],
      ["advisory", "aws:rds/instance:Instance::db lacks tags environment, component, managed-by. Fix: create it in a LabComponent with tags: this.tags()"],
    ]);
  });
  it("the tag list is tunable", async () => {
    expect(await check("required-tags", [res("aws:ec2/vpc:Vpc", "vpc", { tags: { owner: "lab" } })], { "required-tags": { tags: ["owner"] } })).toEqual([]);
  });
});
