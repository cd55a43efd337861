import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const logs = { enabled: true, bucket: "alb-logs", prefix: "alb" };
const alb = (name: string, inputs: Record<string, unknown>, env = "production", type = "aws:lb/loadBalancer:LoadBalancer") =>
  res(type, name, { internal: false, loadBalancerType: "application", subnets: ["a", "b"], tags: { environment: env }, ...inputs });

describe("alb-production-hardening", () => {
  it("passes a production ALB with access logs and deletion protection; ignores staging and network load balancers", async () => {
    const rs = [
      alb("prod", { accessLogs: logs, enableDeletionProtection: true }),
      alb("prod-alb-module", { accessLogs: { ...logs, bucket: unknown.string }, enableDeletionProtection: true }, "production", "aws:alb/loadBalancer:LoadBalancer"),
      alb("staging", {}, "staging"),
      alb("nlb", { loadBalancerType: "network" }),
    ];
    expect(await check("alb-production-hardening", rs)).toEqual([]);
  });

  it("fails a production ALB without access logs or deletion protection (also the default type, and by the configured environment)", async () => {
    const vs = await check("alb-production-hardening", [
      alb("off", { accessLogs: { ...logs, enabled: false }, enableDeletionProtection: false }),
      res("aws:alb/loadBalancer:LoadBalancer", "untagged", { subnets: ["a"] }),
    ], { "alb-production-hardening": { environment: "production" } });
    expect(problems(vs)).toEqual([
      'aws:lb/loadBalancer:LoadBalancer::off in production writes no access logs (accessLogs={"enabled":false,"bucket":"alb-logs","prefix":"alb"})',
      "aws:lb/loadBalancer:LoadBalancer::off in production has no deletion protection",
      'aws:alb/loadBalancer:LoadBalancer::untagged in production writes no access logs (accessLogs="unset")',
      "aws:alb/loadBalancer:LoadBalancer::untagged in production has no deletion protection",
    ]);
    expect(await check("alb-production-hardening", [res("aws:alb/loadBalancer:LoadBalancer", "untagged", { subnets: ["a"] })])).toEqual([]);
  });

  it("unknowns fail closed", async () => {
    const vs = await check("alb-production-hardening", [alb("u", { accessLogs: { ...logs, enabled: unknown.boolean }, enableDeletionProtection: unknown.boolean })]);
    expect(problems(mandatory(vs))).toEqual([
      "aws:lb/loadBalancer:LoadBalancer::u accessLogs.enabled is unknown during preview, so it cannot be verified",
      "aws:lb/loadBalancer:LoadBalancer::u enableDeletionProtection is unknown during preview, so it cannot be verified",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
