import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";
import { createSecurityPolicy } from "./armor.ts";

export interface GcpLoadBalancerArgs {
  region: string;
  domain: string;
  cloudRunServiceName: pulumi.Input<string>;
  /** Identity-Aware Proxy on the backend: who may pass, and an own OAuth client if configured. */
  iap?: { members: string[]; oauth2ClientId?: string; oauth2ClientSecret?: pulumi.Input<string> };
  /** Cloud Armor on the backend (per-IP requests per minute). */
  armor?: { rateLimitPerMinute: number };
}

export interface GcpLoadBalancer {
  address: gcp.compute.GlobalAddress;
  backend: gcp.compute.BackendService;
  https: gcp.compute.GlobalForwardingRule;
  http: gcp.compute.GlobalForwardingRule;
}

/**
 * Global external Application Load Balancer in front of Cloud Run: serverless NEG → backend
 * service (serverless backends take no health checks and no timeoutSec) → URL map → HTTPS
 * proxy with a Google-managed certificate and a TLS ≥ 1.2 MODERN policy → forwarding rule on
 * 443 of a reserved global address. Port 80 on the same address only redirects to HTTPS. The
 * backend authenticates users with Identity-Aware Proxy (only `iap.members` pass) and filters
 * with Cloud Armor, when configured.
 */
export function createGcpLoadBalancer(s: ChildScope, args: GcpLoadBalancerArgs): GcpLoadBalancer {
  const neg = new gcp.compute.RegionNetworkEndpointGroup(
    s.name("neg"),
    { region: args.region, networkEndpointType: "SERVERLESS", cloudRun: { service: args.cloudRunServiceName } },
    s.opts(),
  );
  const backend = new gcp.compute.BackendService(
    s.name("backend"),
    {
      loadBalancingScheme: "EXTERNAL_MANAGED",
      protocol: "HTTPS",
      backends: [{ group: neg.id }],
      logConfig: { enable: true, sampleRate: 1 },
      iap: args.iap
        ? { enabled: true, ...(args.iap.oauth2ClientId ? { oauth2ClientId: args.iap.oauth2ClientId, oauth2ClientSecret: args.iap.oauth2ClientSecret } : {}) }
        : undefined,
      securityPolicy: args.armor ? createSecurityPolicy(s, args.armor.rateLimitPerMinute).selfLink : undefined,
    },
    s.opts(),
  );
  args.iap?.members.forEach((member, i) => {
    new gcp.iap.WebBackendServiceIamMember(s.name(`iap-accessor-${i}`), { webBackendService: backend.name, role: "roles/iap.httpsResourceAccessor", member }, s.opts());
  });
  const urlMap = new gcp.compute.URLMap(s.name("urlmap"), { defaultService: backend.id }, s.opts());
  const certificate = new gcp.compute.ManagedSslCertificate(s.name("cert"), { type: "MANAGED", managed: { domains: [args.domain] } }, s.opts());
  const sslPolicy = new gcp.compute.SSLPolicy(s.name("tls"), { profile: "MODERN", minTlsVersion: "TLS_1_2" }, s.opts());
  const httpsProxy = new gcp.compute.TargetHttpsProxy(
    s.name("https-proxy"),
    { urlMap: urlMap.id, sslCertificates: [certificate.id], sslPolicy: sslPolicy.id },
    s.opts(),
  );
  const address = new gcp.compute.GlobalAddress(s.name("ip"), { addressType: "EXTERNAL", ipVersion: "IPV4", labels: s.labels() }, s.opts());
  const https = new gcp.compute.GlobalForwardingRule(
    s.name("https"),
    { target: httpsProxy.id, ipAddress: address.id, portRange: "443", ipProtocol: "TCP", loadBalancingScheme: "EXTERNAL_MANAGED", labels: s.labels() },
    s.opts(),
  );

  const redirectMap = new gcp.compute.URLMap(
    s.name("http-redirect"),
    { defaultUrlRedirect: { httpsRedirect: true, stripQuery: false, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT" } },
    s.opts(),
  );
  const httpProxy = new gcp.compute.TargetHttpProxy(s.name("http-proxy"), { urlMap: redirectMap.id }, s.opts());
  const http = new gcp.compute.GlobalForwardingRule(
    s.name("http"),
    { target: httpProxy.id, ipAddress: address.id, portRange: "80", ipProtocol: "TCP", loadBalancingScheme: "EXTERNAL_MANAGED", labels: s.labels() },
    s.opts(),
  );
  return { address, backend, https, http };
}
