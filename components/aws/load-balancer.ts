import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AccessLogBucket } from "./access-logs.ts";
import type { ChildScope } from "../component.ts";

export interface LoadBalancerArgs {
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string[]>;
  securityGroupId: pulumi.Input<string>;
  containerPort: number;
  healthCheckPath: string;
  certificateArn: pulumi.Input<string>;
  sslPolicy: string;
  deletionProtection: boolean;
  accessLogs?: AccessLogBucket;
  /** Authenticate every request at the listener (authenticate-oidc before the forward). */
  oidc?: OidcAuthentication;
  /** Alias record for the console domain in this zone. */
  dns?: { domain: string; hostedZoneId: string };
}

export interface OidcAuthentication {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
  clientId: string;
  clientSecret: pulumi.Input<string>;
  scope: string;
  sessionTimeoutSeconds: number;
}

export interface LoadBalancer {
  alb: aws.lb.LoadBalancer;
  targetGroup: aws.lb.TargetGroup;
  https: aws.lb.Listener;
  http: aws.lb.Listener;
}

/**
 * Internet-facing ALB: HTTPS (TLS 1.3 policy) authenticates the user at the identity provider
 * (when `oidc` is given) and then forwards to an `ip` target group; HTTP only answers 301 to
 * HTTPS. Target-group health checks do not pass through listener actions. Invalid header fields are dropped; access logs and deletion protection
 * follow config.
 */
export function createLoadBalancer(s: ChildScope, args: LoadBalancerArgs): LoadBalancer {
  const alb = new aws.lb.LoadBalancer(
    s.name("alb"),
    {
      loadBalancerType: "application",
      internal: false,
      ipAddressType: "ipv4",
      subnets: args.publicSubnetIds,
      securityGroups: [args.securityGroupId],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      enableDeletionProtection: args.deletionProtection,
      idleTimeout: 60,
      accessLogs: args.accessLogs ? { enabled: true, bucket: args.accessLogs.bucket.id, prefix: args.accessLogs.prefix } : undefined,
      tags: s.tags(),
    },
    s.opts({ dependsOn: args.accessLogs ? [args.accessLogs.ready] : [] }),
  );

  const targetGroup = new aws.lb.TargetGroup(
    s.name("tg"),
    {
      targetType: "ip",
      vpcId: args.vpcId,
      port: args.containerPort,
      protocol: "HTTP",
      protocolVersion: "HTTP1",
      deregistrationDelay: 30,
      healthCheck: {
        enabled: true,
        path: args.healthCheckPath,
        protocol: "HTTP",
        port: "traffic-port",
        matcher: "200-399",
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      tags: s.tags(),
    },
    s.opts(),
  );

  const https = new aws.lb.Listener(
    s.name("https"),
    {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: args.sslPolicy,
      certificateArn: args.certificateArn,
      defaultActions: [
        ...(args.oidc
          ? [
              {
                type: "authenticate-oidc",
                order: 1,
                authenticateOidc: {
                  issuer: args.oidc.issuer,
                  authorizationEndpoint: args.oidc.authorizationEndpoint,
                  tokenEndpoint: args.oidc.tokenEndpoint,
                  userInfoEndpoint: args.oidc.userInfoEndpoint,
                  clientId: args.oidc.clientId,
                  clientSecret: args.oidc.clientSecret,
                  scope: args.oidc.scope,
                  sessionTimeout: args.oidc.sessionTimeoutSeconds,
                  onUnauthenticatedRequest: "authenticate",
                },
              },
            ]
          : []),
        { type: "forward", order: args.oidc ? 2 : 1, targetGroupArn: targetGroup.arn },
      ],
      tags: s.tags(),
    },
    s.opts(),
  );

  const http = new aws.lb.Listener(
    s.name("http"),
    {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      tags: s.tags(),
    },
    s.opts(),
  );

  if (args.dns) {
    new aws.route53.Record(
      s.name("alias"),
      {
        zoneId: args.dns.hostedZoneId,
        name: args.dns.domain,
        type: "A",
        aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
      },
      s.opts(),
    );
  }
  return { alb, targetGroup, https, http };
}
