import { describe, expect, it } from "vitest";
import { check, noDowngrade, problems, res, unknown } from "../helpers.ts";

const vpc = (name: string) => res("aws:ec2/vpc:Vpc", name, { cidrBlock: "10.0.0.0/16" });
const flowLog = (name: string, of: { urn: string }, byProperty = true) =>
  res("aws:ec2/flowLog:FlowLog", name, { vpcId: unknown.string, trafficType: "ALL", logDestination: "arn:logs" }, { dependencies: [of.urn], ...(byProperty ? { propertyDependencies: { vpcId: [of.urn] } } : {}) });

describe("vpc-flow-logs", () => {
  it("passes VPCs each with a flow log (matched by property or plain dependency, vpcId unknown during preview)", async () => {
    const a = vpc("a");
    const b = vpc("b");
    const vs = await check("vpc-flow-logs", [a, b, flowLog("a-flow", a), flowLog("b-flow", b, false)]);
    expect(vs).toEqual([]);
    expect(noDowngrade(vs)).toBe(true);
  });

  it("fails a VPC without a flow log", async () => {
    const a = vpc("a");
    const b = vpc("b");
    const vs = await check("vpc-flow-logs", [a, b, flowLog("a-flow", a)]);
    expect(vs.map((v) => v.urn)).toEqual([b.urn]);
    expect(problems(vs)).toEqual(["aws:ec2/vpc:Vpc::b has no flow log"]);
  });
});
