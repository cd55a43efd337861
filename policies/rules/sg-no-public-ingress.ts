import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { describe, hint } from "../lib/message.ts";
import { asArray, at, isUnknown } from "../lib/reveal.ts";
import { referenced, type StackItem, stackItems } from "../lib/stack.ts";

/**
 * No ingress from the internet (0.0.0.0/0, ::/0) except TCP 80/443 on the security groups of
 * internet-facing application load balancers. Covers inline `ingress` blocks of
 * `aws.ec2.SecurityGroup` and `aws.ec2.DefaultSecurityGroup`, standalone `aws.vpc.SecurityGroupIngressRule` and
 * `aws.ec2.SecurityGroupRule` (type ingress), and GCP firewalls. A stack rule: whether a group
 * belongs to a public ALB is a property of the load balancer.
 * Unknowns: an unknown CIDR is another resource's output (a VPC or subnet range), never the
 * literal 0.0.0.0/0, so it is treated as not public; unknown ports/protocol on a public rule fail
 * closed.
 */
const config = ruleConfig(
  "sg-no-public-ingress",
  z.object({
    allowedPublicPorts: z.array(z.number().int().min(1).max(65535)).default([80, 443]).describe("TCP ports a public ALB's security group may open to the internet"),
  }),
);

const SG = "aws:ec2/securityGroup:SecurityGroup";
const LBS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const FIX = "restrict the source to the load balancer's security group or a private CIDR";

interface Rule {
  where: string;
  protocol: unknown;
  from: unknown;
  to: unknown;
  cidrs: unknown[];
}

const isPublic = (c: unknown) => c === "0.0.0.0/0" || c === "::/0";

function albGroups(items: StackItem[]): Set<string> {
  const out = new Set<string>();
  for (const i of items) {
    if (!LBS.includes(i.r.type)) continue;
    const type = i.props.loadBalancerType;
    if (i.props.internal === true || (type !== undefined && type !== "application")) continue;
    for (const sg of referenced(i.r, "securityGroups", [SG])) out.add(sg.urn);
  }
  return out;
}

export const sgNoPublicIngress: StackValidationPolicy = {
  name: "sg-no-public-ingress",
  description: "No security group or firewall admits the internet, except TCP 80/443 on a public ALB's security group.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: config.configSchema,
  remediationSteps: "Reference the ALB security group (referencedSecurityGroupId) or private CIDRs instead of 0.0.0.0/0.",
  validateStack: (args, report) => {
    const cfg = config.read(args);
    const items = stackItems(args.resources);
    const albs = albGroups(items);
    const check = (item: StackItem, sgUrns: string[], rule: Rule, rep: ReportViolation) => {
      const open = rule.cidrs.filter(isPublic);
      if (open.length === 0) return;
      const name = describe(item.r);
      if (isUnknown(rule.protocol) || isUnknown(rule.from) || isUnknown(rule.to)) {
        rep(hint(`${name} ${rule.where} admits ${open.join(", ")} on ports unknown during preview`, FIX), item.r.urn);
        return;
      }
      const tcp = rule.protocol === "tcp" || rule.protocol === "6";
      const port = rule.from === rule.to && typeof rule.from === "number" ? rule.from : undefined;
      const onAlb = sgUrns.length > 0 && sgUrns.every((u) => albs.has(u));
      if (onAlb && tcp && port !== undefined && cfg.allowedPublicPorts.includes(port)) return;
      const ports = rule.from === rule.to ? `${rule.from}` : `${rule.from}-${rule.to}`;
      const why = onAlb ? `only TCP ${cfg.allowedPublicPorts.join("/")} may be public on a load balancer` : "it is not a public load balancer's group";
      rep(hint(`${name} ${rule.where} admits ${open.join(", ")} on ${String(rule.protocol)} ${ports} (${why})`, FIX), item.r.urn);
    };
    for (const item of items) {
      const p = item.props;
      switch (item.r.type) {
        case SG:
        case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
          if (isUnknown(p.ingress)) break;
          asArray(p.ingress).forEach((rule, i) => {
            const all = at(rule, "protocol") === "-1" || at(rule, "protocol") === "all";
            check(item, [item.r.urn], {
              where: `ingress[${i}]`,
              protocol: all ? "all" : at(rule, "protocol"),
              from: all ? 0 : at(rule, "fromPort"),
              to: all ? 65535 : at(rule, "toPort"),
              cidrs: [...asArray(at(rule, "cidrBlocks")), ...asArray(at(rule, "ipv6CidrBlocks"))],
            }, report);
          });
          break;
        }
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
          const proto = p.ipProtocol === "-1" || p.ipProtocol === "all" ? "all" : p.ipProtocol;
          check(item, referenced(item.r, "securityGroupId", [SG]).map((s) => s.urn), {
            where: "rule",
            protocol: proto,
            from: proto === "all" ? 0 : p.fromPort,
            to: proto === "all" ? 65535 : p.toPort,
            cidrs: [p.cidrIpv4, p.cidrIpv6],
          }, report);
          break;
        }
        case "aws:ec2/securityGroupRule:SecurityGroupRule": {
          if (p.type !== "ingress" && !isUnknown(p.type)) break;
          check(item, referenced(item.r, "securityGroupId", [SG]).map((s) => s.urn), {
            where: "rule",
            protocol: p.protocol === "-1" ? "all" : p.protocol,
            from: p.fromPort,
            to: p.toPort,
            cidrs: [...asArray(p.cidrBlocks), ...asArray(p.ipv6CidrBlocks)],
          }, report);
          break;
        }
        case "gcp:compute/firewall:Firewall": {
          if (p.direction === "EGRESS" || p.disabled === true || isUnknown(p.sourceRanges)) break;
          const open = asArray(p.sourceRanges).filter(isPublic);
          if (open.length > 0 && asArray(p.allows).length > 0) {
            report(hint(`${describe(item.r)} admits ${open.join(", ")}`, "limit sourceRanges to the load balancer and health-check ranges (130.211.0.0/22, 35.191.0.0/16)"), item.r.urn);
          }
          break;
        }
      }
    }
  },
};
