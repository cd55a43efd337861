import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, type PlanResource, problems, res, unknown } from "../helpers.ts";

const sslPolicy = (name: string, inputs: Record<string, unknown>, type = "gcp:compute/sSLPolicy:SSLPolicy") => res(type, name, inputs);
const proxy = (name: string, policy?: PlanResource, type = "gcp:compute/targetHttpsProxy:TargetHttpsProxy", inputs: Record<string, unknown> = {}) =>
  res(type, name, { urlMap: "m", sslCertificates: ["c"], ...(policy ? { sslPolicy: unknown.string } : {}), ...inputs }, policy ? { dependencies: [policy.urn], propertyDependencies: { sslPolicy: [policy.urn] } } : {});

describe("https-proxy-ssl-policy", () => {
  it("passes proxies whose SSL policy in the stack is TLS 1.2+ and MODERN/RESTRICTED (global, regional, SSL proxy)", async () => {
    const modern = sslPolicy("modern", { minTlsVersion: "TLS_1_2", profile: "MODERN" });
    const restricted = sslPolicy("restricted", { minTlsVersion: "TLS_1_3", profile: "RESTRICTED", region: "europe-west3" }, "gcp:compute/regionSslPolicy:RegionSslPolicy");
    const rs = [modern, restricted, proxy("https", modern), proxy("regional", restricted, "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy"), proxy("ssl", modern, "gcp:compute/targetSSLProxy:TargetSSLProxy")];
    const vs = await check("https-proxy-ssl-policy", rs);
    expect(vs).toEqual([]);
    expect(noDowngrade(vs)).toBe(true);
  });

  it("fails no SSL policy (Google's TLS 1.0 default), weak policies and policies outside the stack", async () => {
    const compatible = sslPolicy("compatible", { minTlsVersion: "TLS_1_2", profile: "COMPATIBLE" });
    const tls10 = sslPolicy("tls10", { profile: "MODERN" });
    const rs = [compatible, tls10, proxy("none"), proxy("compat", compatible), proxy("old", tls10), proxy("outside", undefined, undefined, { sslPolicy: "projects/p/global/sslPolicies/x" })];
    const vs = await check("https-proxy-ssl-policy", rs);
    expect(problems(mandatory(vs))).toEqual([
      "gcp:compute/targetHttpsProxy:TargetHttpsProxy::none has no SSL policy, so Google's default (COMPATIBLE, TLS 1.0) applies",
      'gcp:compute/targetHttpsProxy:TargetHttpsProxy::compat SSL policy compatible uses profile "COMPATIBLE"',
      'gcp:compute/targetHttpsProxy:TargetHttpsProxy::old SSL policy tls10 accepts TLS below 1.2 (minTlsVersion="default TLS_1_0")',
      'gcp:compute/targetHttpsProxy:TargetHttpsProxy::outside uses SSL policy "projects/p/global/sslPolicies/x", which is not in the stack, so its strength cannot be shown',
    ]);
  });

  it("unknown policy settings fail closed", async () => {
    const pending = sslPolicy("pending", { minTlsVersion: unknown.string, profile: "MODERN" });
    const vs = await check("https-proxy-ssl-policy", [pending, proxy("https", pending)]);
    expect(problems(mandatory(vs))).toEqual(["gcp:compute/targetHttpsProxy:TargetHttpsProxy::https SSL policy pending minTlsVersion/profile are unknown during preview, so they cannot be verified"]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
