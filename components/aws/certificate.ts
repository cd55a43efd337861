import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";

export interface CertificateArgs {
  certificateArn?: string;
  domain?: string;
  hostedZoneId?: string;
}

/**
 * The HTTPS listener's certificate: the configured ARN, or an ACM certificate for `domain`
 * validated through a DNS record in `hostedZoneId` (the ARN is returned only once validated).
 * The config schema guarantees one of the two is present.
 */
export function listenerCertificateArn(s: ChildScope, args: CertificateArgs): pulumi.Input<string> {
  if (args.certificateArn) return args.certificateArn;
  if (!args.domain || !args.hostedZoneId) {
    throw new Error("console.aws: set certificateArn, or domain and hostedZoneId");
  }
  const cert = new aws.acm.Certificate(
    s.name("cert"),
    { domainName: args.domain, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1", tags: s.tags({ Name: args.domain }) },
    s.opts(),
  );
  const option = cert.domainValidationOptions.apply((o) => o?.[0]);
  const record = new aws.route53.Record(
    s.name("cert-validation"),
    {
      zoneId: args.hostedZoneId,
      name: option.apply((o) => o?.resourceRecordName ?? ""),
      type: option.apply((o) => o?.resourceRecordType ?? "CNAME"),
      records: [option.apply((o) => o?.resourceRecordValue ?? "")],
      ttl: 300,
      allowOverwrite: true,
    },
    s.opts(),
  );
  const validation = new aws.acm.CertificateValidation(
    s.name("cert-validated"),
    { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] },
    s.opts(),
  );
  return validation.certificateArn;
}
