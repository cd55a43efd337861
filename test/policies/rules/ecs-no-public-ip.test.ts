import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const svc = (assignPublicIp: unknown) =>
  res("aws:ecs/service:Service", "console", { cluster: "c", networkConfiguration: { subnets: ["a"], securityGroups: ["s"], assignPublicIp } });

describe("ecs-no-public-ip", () => {
  it("passes private services", async () => {
    expect(await check("ecs-no-public-ip", [svc(false), svc(undefined)])).toEqual([]);
  });
  it("fails services with public IPs", async () => {
    const [v] = await check("ecs-no-public-ip", [svc(true)]);
    expect(v?.message).toBe(
      "ECS services get no public IP addresses; traffic arrives through the load balancer.\naws:ecs/service:Service::console assigns public IPs to its tasks. Fix: set networkConfiguration.assignPublicIp: false and run in private subnets",
    );
  });
  it("unknowns fail closed", async () => {
    const vs = await check("ecs-no-public-ip", [svc(unknown.boolean)]);
    expect(mandatory(vs)[0]?.message).toContain("assignPublicIp is unknown during preview");
    expect(noDowngrade(vs)).toBe(true);
  });
});
