import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const redirect = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
const forward = [{ type: "forward", targetGroupArn: "arn:tg" }];
const listener = (name: string, inputs: Record<string, unknown>) => res("aws:lb/listener:Listener", name, { loadBalancerArn: "arn:lb", ...inputs });

describe("lb-https-only", () => {
  it("passes HTTPS listeners, HTTP→HTTPS redirects, and a GCP HTTP proxy whose URL map redirects", async () => {
    const map = res("gcp:compute/uRLMap:URLMap", "http-redirect", { defaultUrlRedirect: { httpsRedirect: true, stripQuery: false } });
    const proxy = res("gcp:compute/targetHttpProxy:TargetHttpProxy", "http", { urlMap: "x" }, { dependencies: [map.urn], propertyDependencies: { urlMap: [map.urn] } });
    const https = listener("https", { port: 443, protocol: "HTTPS", certificateArn: "arn:cert", defaultActions: forward });
    const http = listener("http", { port: 80, protocol: "HTTP", defaultActions: redirect });
    const rule = res("aws:lb/listenerRule:ListenerRule", "rule", { listenerArn: "x", actions: forward }, { propertyDependencies: { listenerArn: [https.urn] }, dependencies: [https.urn] });
    expect(await check("lb-https-only", [https, http, rule, map, proxy])).toEqual([]);
  });

  it("fails plain HTTP listeners (also via alb.Listener and defaults), forwarding rules on HTTP, and non-redirecting GCP proxies", async () => {
    const http = listener("http", { port: 80, defaultActions: forward });
    const alb = res("aws:alb/listener:Listener", "alb-http", { port: 8080, protocol: "HTTP", defaultActions: forward });
    const rule = res("aws:lb/listenerRule:ListenerRule", "rule", { actions: forward }, { dependencies: [http.urn] });
    const map = res("gcp:compute/uRLMap:URLMap", "app", { defaultService: "backend" });
    const proxy = res("gcp:compute/targetHttpProxy:TargetHttpProxy", "http-proxy", { urlMap: "x" }, { dependencies: [map.urn] });
    const lonely = res("gcp:compute/targetHttpProxy:TargetHttpProxy", "lonely", { urlMap: "projects/p/global/urlMaps/x" });
    const vs = await check("lb-https-only", [http, alb, rule, map, proxy, lonely]);
    expect(vs.map((v) => [v.urn, v.message.split("\n")[1]?.split(". Fix")[0]])).toEqual([
      [http.urn, "aws:lb/listener:Listener::http serves plain HTTP (port 80) instead of redirecting to HTTPS"],
      [alb.urn, "aws:alb/listener:Listener::alb-http serves plain HTTP (port 8080) instead of redirecting to HTTPS"],
      [rule.urn, "aws:lb/listenerRule:ListenerRule::rule on HTTP listener http forwards plain HTTP"],
      [proxy.urn, "gcp:compute/targetHttpProxy:TargetHttpProxy::http-proxy serves plain HTTP: its URL map app does not redirect to HTTPS"],
      [lonely.urn, "gcp:compute/targetHttpProxy:TargetHttpProxy::lonely is a plain-HTTP proxy whose URL map is not in the stack, so its redirect cannot be shown"],
    ]);
  });

  it("unknowns fail closed", async () => {
    const vs = await check("lb-https-only", [listener("p", { protocol: unknown.string }), listener("a", { protocol: "HTTP", defaultActions: unknown.array })]);
    expect(mandatory(vs).map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "aws:lb/listener:Listener::p protocol is unknown during preview",
      "aws:lb/listener:Listener::a is HTTP and its default actions are unknown during preview",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
