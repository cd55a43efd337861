import { describe, expect, it } from "vitest";
import { tlsFloorOf } from "../../../policies/rules/lb-tls-policy-floor.ts";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const forward = [{ type: "forward", targetGroupArn: "arn:tg" }];
const listener = (name: string, inputs: Record<string, unknown>, type = "aws:lb/listener:Listener") =>
  res(type, name, { loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", certificateArn: "arn:cert", defaultActions: forward, ...inputs });

describe("lb-tls-policy-floor", () => {
  it("passes TLS 1.2+ policies (TLS13 1-2/1-3 families, Res/FIPS/PQ variants, TLS-1-2 and FS-1-2) and ignores HTTP listeners", async () => {
    const ok = [
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
      "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
      "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
      "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    ];
    const rs = ok.map((p, i) => listener(`l${i}`, { sslPolicy: p }));
    rs.push(listener("nlb", { protocol: "TLS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, "aws:alb/listener:Listener"));
    rs.push(listener("http", { protocol: "HTTP", port: 80 }));
    expect(await check("lb-tls-policy-floor", rs)).toEqual([]);
  });

  it("fails a TLS 1.0 listener (the issue's case), TLS 1.1, the API default, unrecognised names and a missing policy", async () => {
    const rs = [
      listener("tls10", { sslPolicy: "ELBSecurityPolicy-TLS-1-0-2015-04" }),
      listener("tls13-10", { sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }, "aws:alb/listener:Listener"),
      listener("tls11", { sslPolicy: "ELBSecurityPolicy-TLS13-1-1-2021-06" }),
      listener("legacy", { sslPolicy: "ELBSecurityPolicy-2016-08" }),
      listener("unset", {}),
      listener("nlb", { protocol: "TLS" }),
    ];
    const vs = await check("lb-tls-policy-floor", rs);
    expect(mandatory(vs).map((v) => v.urn)).toEqual(rs.map((r) => r.urn));
    expect(problems(vs)).toEqual([
      'aws:lb/listener:Listener::tls10 uses security policy "ELBSecurityPolicy-TLS-1-0-2015-04", which accepts TLS 1.0',
      'aws:alb/listener:Listener::tls13-10 uses security policy "ELBSecurityPolicy-TLS13-1-0-2021-06", which accepts TLS 1.0',
      'aws:lb/listener:Listener::tls11 uses security policy "ELBSecurityPolicy-TLS13-1-1-2021-06", which accepts TLS 1.1',
      'aws:lb/listener:Listener::legacy uses security policy "ELBSecurityPolicy-2016-08", which is not a recognised TLS 1.2+ ELB policy',
      "aws:lb/listener:Listener::unset sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0",
      "aws:lb/listener:Listener::nlb sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0",
    ]);
  });

  it("reads the TLS floor from a policy name", () => {
    expect([tlsFloorOf("ELBSecurityPolicy-TLS13-1-3-2021-06"), tlsFloorOf("ELBSecurityPolicy-FS-1-1-2019-08"), tlsFloorOf("ELBSecurityPolicy-FS-2018-06")]).toEqual([3, 1, undefined]);
  });

  it("unknowns fail closed", async () => {
    const vs = await check("lb-tls-policy-floor", [listener("p", { sslPolicy: unknown.string }), listener("q", { protocol: unknown.string }), listener("r", { protocol: unknown.string, sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01" })]);
    expect(problems(mandatory(vs))).toEqual([
      "aws:lb/listener:Listener::p sslPolicy is unknown during preview, so it cannot be verified",
      "aws:lb/listener:Listener::q protocol is unknown during preview, so it cannot be verified",
      "aws:lb/listener:Listener::r uses security policy \"ELBSecurityPolicy-TLS-1-1-2017-01\", which accepts TLS 1.1",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
