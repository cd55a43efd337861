import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const v2 = (ingress: unknown) => res("gcp:cloudrunv2/service:Service", "console", { location: "europe-west3", ingress, template: { containers: [{ image: "i" }] } });
const v1 = (annotation: unknown) => res("gcp:cloudrun/service:Service", "legacy", { location: "europe-west3", metadata: { annotations: annotation === undefined ? {} : { "run.googleapis.com/ingress": annotation } } });

describe("cloudrun-ingress-via-lb", () => {
  it("passes LB-only and internal services (v2 and v1)", async () => {
    expect(await check("cloudrun-ingress-via-lb", [v2("INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"), v2("INGRESS_TRAFFIC_INTERNAL_ONLY"), v1("internal-and-cloud-load-balancing")])).toEqual([]);
  });
  it("fails direct internet ingress, including the default", async () => {
    const vs = await check("cloudrun-ingress-via-lb", [v2("INGRESS_TRAFFIC_ALL"), v2(undefined), v1(undefined)]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      'gcp:cloudrunv2/service:Service::console accepts direct internet traffic (ingress="INGRESS_TRAFFIC_ALL")',
      'gcp:cloudrunv2/service:Service::console accepts direct internet traffic (ingress="default INGRESS_TRAFFIC_ALL")',
      'gcp:cloudrun/service:Service::legacy accepts direct internet traffic (run.googleapis.com/ingress="default all")',
    ]);
  });
  it("unknowns fail closed", async () => {
    const vs = await check("cloudrun-ingress-via-lb", [v2(unknown.string)]);
    expect(mandatory(vs)[0]?.message).toContain("ingress is unknown during preview");
    expect(noDowngrade(vs)).toBe(true);
  });
});
