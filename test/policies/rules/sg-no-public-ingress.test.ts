import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const world = { cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] };
const albSg = res("aws:ec2/securityGroup:SecurityGroup", "alb-sg", {
  vpcId: "vpc",
  ingress: [
    { protocol: "tcp", fromPort: 443, toPort: 443, ...world },
    { protocol: "tcp", fromPort: 80, toPort: 80, ...world },
  ],
});
const alb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", securityGroups: ["x"] }, {
  dependencies: [albSg.urn],
  propertyDependencies: { securityGroups: [albSg.urn] },
});

describe("sg-no-public-ingress", () => {
  it("passes 80/443 from the internet on a public ALB's group, and private sources elsewhere", async () => {
    const appSg = res("aws:ec2/securityGroup:SecurityGroup", "app-sg", { ingress: [{ protocol: "tcp", fromPort: 8080, toPort: 8080, securityGroups: ["alb"] }] });
    const dbRule = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "db-in", { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "10.40.0.0/16" });
    const fromVpc = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "vpc-in", { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: unknown.string });
    const albRule = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "alb-https", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, { dependencies: [albSg.urn] });
    expect(await check("sg-no-public-ingress", [albSg, alb, appSg, dbRule, fromVpc, albRule])).toEqual([]);
  });

  it("fails public ingress on non-ALB groups (inline and standalone), other ports on the ALB, and GCP firewalls", async () => {
    const appSg = res("aws:ec2/securityGroup:SecurityGroup", "app-sg", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
    const ssh = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ssh", { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, { dependencies: [appSg.urn] });
    const legacy = res("aws:ec2/securityGroupRule:SecurityGroupRule", "legacy", { type: "ingress", protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] });
    const egress = res("aws:ec2/securityGroupRule:SecurityGroupRule", "egress", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
    const albWide = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "alb-wide", { ipProtocol: "tcp", fromPort: 0, toPort: 65535, cidrIpv6: "::/0" }, { propertyDependencies: { securityGroupId: [albSg.urn] } });
    const dflt = res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
    const fw = res("gcp:compute/firewall:Firewall", "allow-all", { network: "n", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["22"] }] });
    const vs = await check("sg-no-public-ingress", [albSg, alb, appSg, ssh, legacy, egress, albWide, dflt, fw]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "aws:ec2/securityGroup:SecurityGroup::app-sg ingress[0] admits 0.0.0.0/0 on tcp 22 (it is not a public load balancer's group)",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::ssh rule admits 0.0.0.0/0 on all 0-65535 (it is not a public load balancer's group)",
      "aws:ec2/securityGroupRule:SecurityGroupRule::legacy rule admits 0.0.0.0/0 on tcp 5432 (it is not a public load balancer's group)",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::alb-wide rule admits ::/0 on tcp 0-65535 (only TCP 80/443 may be public on a load balancer)",
      "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup::default ingress[0] admits 0.0.0.0/0 on all 0-65535 (it is not a public load balancer's group)",
      "gcp:compute/firewall:Firewall::allow-all admits 0.0.0.0/0",
    ]);
    expect(vs.map((v) => v.urn)).toEqual([appSg.urn, ssh.urn, legacy.urn, albWide.urn, dflt.urn, fw.urn]);
  });

  it("an internal load balancer does not license public ingress; allowedPublicPorts is tunable", async () => {
    const internal = { ...alb, inputs: { ...alb.inputs, internal: true } };
    expect(await check("sg-no-public-ingress", [albSg, internal])).toHaveLength(2);
    expect(await check("sg-no-public-ingress", [albSg, alb], { "sg-no-public-ingress": { allowedPublicPorts: [443] } })).toHaveLength(1);
  });

  it("unknowns: unknown ports on a public rule fail closed", async () => {
    const vs = await check("sg-no-public-ingress", [
      res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", { ipProtocol: "tcp", fromPort: unknown.number, toPort: 443, cidrIpv4: "0.0.0.0/0" }),
    ]);
    expect(mandatory(vs)[0]?.message).toContain("admits 0.0.0.0/0 on ports unknown during preview");
    expect(noDowngrade(vs)).toBe(true);
  });
});
