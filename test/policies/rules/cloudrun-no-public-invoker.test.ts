import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, type PlanResource, problems, res, unknown } from "../helpers.ts";

const prod = { "cloudrun-no-public-invoker": { environment: "production" } };
const service = (name: string, inputs: Record<string, unknown>, env = "production") =>
  res("gcp:cloudrunv2/service:Service", name, { location: "europe-west3", ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", labels: { environment: env }, template: { containers: [{ image: "i" }] }, ...inputs });
const ref = (prop: string, to: PlanResource) => ({ dependencies: [to.urn], propertyDependencies: { [prop]: [to.urn] } });

/** service ← serverless NEG ← backend service (with or without IAP), as the console's load balancer wires them. */
function fronted(svc: PlanResource, iap: unknown) {
  const neg = res("gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup", `${svc.name}-neg`, { networkEndpointType: "SERVERLESS", cloudRun: { service: "x" } }, ref("cloudRun", svc));
  const backend = res("gcp:compute/backendService:BackendService", `${svc.name}-backend`, { backends: [{ group: "x" }], ...(iap === undefined ? {} : { iap }) }, ref("backends", neg));
  return [neg, backend];
}

describe("cloudrun-no-public-invoker", () => {
  it("passes: named invokers; invoker check off behind IAP (backend service or the service's own); anything outside production", async () => {
    const behindLb = service("behind-lb", { invokerIamDisabled: true });
    const own = service("own-iap", { invokerIamDisabled: true, iapEnabled: true });
    const checked = service("checked", {});
    const member = res("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "invoker", { name: "checked", role: "roles/run.invoker", member: "serviceAccount:lb@p.iam.gserviceaccount.com" });
    const staging = service("staging", { invokerIamDisabled: true }, "staging");
    const stagingPublic = res("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "public", { name: "staging", role: "roles/run.invoker", member: "allUsers" });
    expect(await check("cloudrun-no-public-invoker", [behindLb, ...fronted(behindLb, { enabled: true, oauth2ClientId: "id" }), own, checked, member, staging, stagingPublic])).toEqual([]);
  });

  it("fails allUsers/allAuthenticatedUsers grants (member, binding, policy, v1) and an open invoker check without IAP", async () => {
    const open = service("open", { invokerIamDisabled: true });
    const noIap = service("no-iap", { invokerIamDisabled: true });
    const v1 = res("gcp:cloudrun/service:Service", "legacy", { location: "europe-west3", metadata: { annotations: { "run.googleapis.com/invoker-iam-disabled": "true" }, labels: { environment: "production" } } });
    const rs = [
      open,
      noIap,
      ...fronted(noIap, { enabled: false }),
      v1,
      res("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "public", { name: "open", role: "roles/run.invoker", member: "allUsers" }),
      res("gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding", "binding", { name: "open", role: "roles/run.invoker", members: ["user:a@example.org", "allAuthenticatedUsers"] }),
      res("gcp:cloudrun/iamPolicy:IamPolicy", "policy", { service: "legacy", policyData: JSON.stringify({ bindings: [{ role: "roles/run.invoker", members: ["allUsers"] }] }) }),
    ];
    const vs = await check("cloudrun-no-public-invoker", rs, prod);
    expect(problems(mandatory(vs))).toEqual([
      "gcp:cloudrunv2/service:Service::open in production has the invoker check off and no IAP in front of it, so anyone reaching it is let in",
      "gcp:cloudrunv2/service:Service::no-iap in production has the invoker check off and no IAP in front of it, so anyone reaching it is let in",
      "gcp:cloudrun/service:Service::legacy in production has the invoker check off and no IAP in front of it, so anyone reaching it is let in",
      "gcp:cloudrunv2/serviceIamMember:ServiceIamMember::public in production opens the Cloud Run service to allUsers",
      "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding::binding in production opens the Cloud Run service to allAuthenticatedUsers",
      "gcp:cloudrun/iamPolicy:IamPolicy::policy in production opens the Cloud Run service to allUsers",
    ]);
  });

  it("unknowns fail closed", async () => {
    const svc = service("u", { invokerIamDisabled: unknown.boolean });
    const rs = [
      svc,
      res("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "m", { name: "u", role: "roles/run.invoker", member: unknown.string }),
      res("gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy", "p", { name: "u", policyData: unknown.string }),
      service("iap-unknown", { invokerIamDisabled: true }),
    ];
    rs.push(...fronted(rs[3]!, { enabled: unknown.boolean }));
    const vs = await check("cloudrun-no-public-invoker", rs, prod);
    expect(problems(mandatory(vs))).toEqual([
      "gcp:cloudrunv2/service:Service::u invokerIamDisabled is unknown during preview, so it cannot be verified",
      "gcp:cloudrunv2/serviceIamMember:ServiceIamMember::m member is unknown during preview, so it cannot be verified",
      "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy::p policyData is unknown during preview, so it cannot be verified",
      "gcp:cloudrunv2/service:Service::iap-unknown in production has the invoker check off and no IAP in front of it, so anyone reaching it is let in",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
