/**
 * The AWS permissions of the CI roles, as plain policy statements (pure, unit-tested).
 * Design notes: docs/design/cloud.md ("components/ci/aws-permissions.ts").
 */
import { albLogBucketPrefix, consoleEcsPrefix, consoleLogGroupPrefix, consoleRolePath } from "../aws/naming.ts";

export interface AwsStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface AwsPermissionScope {
  partition: string;
  account: string;
  stack: string;
  /** Console region; absent when this stack has no AWS console (state access only). */
  region?: string;
  hostedZoneId?: string;
  stateBucket?: string;
  secretsKmsKeyArn?: string;
  /** Pulumi project name (the state backend's paths are per project and stack). */
  project: string;
  /** Pull-request previews may decrypt with the secrets key (never for production). */
  previewSecrets: boolean;
}

/** Read-only actions AWS evaluates against `*` only (no resource-level permissions). */
const UNSCOPED_READ = [
  "ec2:DescribeAccountAttributes",
  "ec2:DescribeAddresses",
  "ec2:DescribeAddressesAttribute",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeInternetGateways",
  "ec2:DescribeNatGateways",
  "ec2:DescribeNetworkAcls",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribePrefixLists",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeTags",
  "ec2:DescribeVpcAttribute",
  "ec2:DescribeVpcs",
  "elasticloadbalancing:DescribeListenerAttributes",
  "elasticloadbalancing:DescribeListenerCertificates",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeSSLPolicies",
  "elasticloadbalancing:DescribeTags",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetHealth",
  "ecs:DescribeTaskDefinition",
  "application-autoscaling:DescribeScalableTargets",
  "application-autoscaling:DescribeScalingPolicies",
  "cloudwatch:DescribeAlarms",
  "logs:DescribeLogGroups",
  "rds:DescribeDBEngineVersions",
  "acm:ListCertificates",
  "sts:GetCallerIdentity",
];

const S3_BUCKET_READ = [
  "s3:GetAccelerateConfiguration",
  "s3:GetBucketAcl",
  "s3:GetBucketCORS",
  "s3:GetBucketLocation",
  "s3:GetBucketLogging",
  "s3:GetBucketObjectLockConfiguration",
  "s3:GetBucketOwnershipControls",
  "s3:GetBucketPolicy",
  "s3:GetBucketPublicAccessBlock",
  "s3:GetBucketRequestPayment",
  "s3:GetBucketTagging",
  "s3:GetBucketVersioning",
  "s3:GetBucketWebsite",
  "s3:GetEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration",
  "s3:ListBucket",
];

function arns(p: AwsPermissionScope) {
  const regional = (service: string, rest: string) => `arn:${p.partition}:${service}:${p.region}:${p.account}:${rest}`;
  return {
    ec2: regional("ec2", "*"),
    elb: [regional("elasticloadbalancing", "loadbalancer/*"), regional("elasticloadbalancing", "listener/*"), regional("elasticloadbalancing", "targetgroup/*"), regional("elasticloadbalancing", "listener-rule/*")],
    ecs: [
      regional("ecs", `cluster/${consoleEcsPrefix(p.stack)}*`),
      regional("ecs", `service/${consoleEcsPrefix(p.stack)}*/*`),
      regional("ecs", `task-definition/${consoleEcsPrefix(p.stack)}*:*`),
    ],
    scaling: regional("application-autoscaling", "scalable-target/*"),
    alarms: regional("cloudwatch", "alarm:TargetTracking-service/*"),
    logs: [
      regional("logs", `log-group:${consoleLogGroupPrefix(p.stack)}*`),
      regional("logs", `log-group:${consoleLogGroupPrefix(p.stack)}*:*`),
      regional("logs", `log-group:/aws/rds/instance/${consoleEcsPrefix(p.stack)}*`),
      regional("logs", `log-group:/aws/rds/instance/${consoleEcsPrefix(p.stack)}*:*`),
    ],
    waf: [regional("wafv2", "regional/webacl/*"), regional("wafv2", "regional/managedruleset/*")],
    rds: [regional("rds", "db:*"), regional("rds", "subgrp:*"), regional("rds", "snapshot:*"), regional("rds", "pg:default.*"), regional("rds", "og:default:*")],
    rdsSecrets: regional("secretsmanager", "secret:rds!*"),
    acm: regional("acm", "certificate/*"),
    logBuckets: [`arn:${p.partition}:s3:::${albLogBucketPrefix(p.stack)}*`, `arn:${p.partition}:s3:::${albLogBucketPrefix(p.stack)}*/*`],
    consoleRoles: `arn:${p.partition}:iam::${p.account}:role${consoleRolePath(p.stack)}*`,
    ciRoles: `arn:${p.partition}:iam::${p.account}:role/labfleet/${p.stack}/ci/*`,
    oidcProvider: `arn:${p.partition}:iam::${p.account}:oidc-provider/token.actions.githubusercontent.com`,
    zone: p.hostedZoneId ? `arn:${p.partition}:route53:::hostedzone/${p.hostedZoneId}` : undefined,
    change: `arn:${p.partition}:route53:::change/*`,
  };
}

/**
 * The self-managed state backend (`pulumi login s3://<bucket>`, docs/runbooks/ci-identity.md).
 * Deploy identities read and write the bucket and use the secrets key. A preview identity reads
 * only its own stack's checkpoint (and the backend's metadata), may take and release that stack's
 * lock, and decrypts only where `previewSecrets` allows it (never production).
 */
function stateStatements(p: AwsPermissionScope, write: boolean): AwsStatement[] {
  const out: AwsStatement[] = [];
  if (p.stateBucket) {
    const bucket = `arn:${p.partition}:s3:::${p.stateBucket}`;
    out.push({ Sid: "StateBucketList", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: bucket });
    if (write) {
      out.push({ Sid: "StateObjectsReadWrite", Effect: "Allow", Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Resource: `${bucket}/*` });
    } else {
      out.push({
        Sid: "StateObjectsRead",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [`${bucket}/.pulumi/meta.yaml`, `${bucket}/.pulumi/stacks/${p.project}/${p.stack}.json`],
      });
      out.push({ Sid: "StateLock", Effect: "Allow", Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Resource: `${bucket}/.pulumi/locks/${p.project}/${p.stack}/*` });
    }
  }
  if (p.secretsKmsKeyArn && (write || p.previewSecrets)) {
    out.push({
      Sid: write ? "SecretsProviderEncryptDecrypt" : "SecretsProviderDecrypt",
      Effect: "Allow",
      Action: write ? ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] : ["kms:Decrypt", "kms:DescribeKey"],
      Resource: p.secretsKmsKeyArn,
    });
  }
  return out;
}

/** What `pulumi preview` (with refresh) needs: read the console's resources and the state. */
export function previewStatements(p: AwsPermissionScope): AwsStatement[] {
  const out: AwsStatement[] = [...stateStatements(p, false)];
  const a = arns(p);
  out.push({
    Sid: "ReadIdentity",
    Effect: "Allow",
    Action: ["iam:GetOpenIDConnectProvider", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoleTags"],
    Resource: [a.ciRoles, a.consoleRoles, a.oidcProvider],
  });
  if (!p.region) return out;
  out.push({ Sid: "ReadUnscoped", Effect: "Allow", Action: UNSCOPED_READ, Resource: "*" });
  out.push({ Sid: "ReadEcs", Effect: "Allow", Action: ["ecs:DescribeClusters", "ecs:DescribeServices", "ecs:ListTagsForResource"], Resource: a.ecs });
  out.push({ Sid: "ReadScalingTags", Effect: "Allow", Action: ["application-autoscaling:ListTagsForResource"], Resource: a.scaling });
  out.push({ Sid: "ReadLogs", Effect: "Allow", Action: ["logs:ListTagsForResource", "logs:ListTagsLogGroup"], Resource: a.logs });
  out.push({ Sid: "ReadRds", Effect: "Allow", Action: ["rds:DescribeDBInstances", "rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"], Resource: a.rds });
  out.push({ Sid: "ReadRdsSecretMetadata", Effect: "Allow", Action: ["secretsmanager:DescribeSecret"], Resource: a.rdsSecrets });
  out.push({ Sid: "ReadCertificates", Effect: "Allow", Action: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"], Resource: a.acm });
  out.push({ Sid: "ReadLogBuckets", Effect: "Allow", Action: S3_BUCKET_READ, Resource: a.logBuckets });
  out.push({ Sid: "ReadWaf", Effect: "Allow", Action: ["wafv2:GetWebACL", "wafv2:ListTagsForResource"], Resource: a.waf });
  out.push({ Sid: "ReadWafAssociation", Effect: "Allow", Action: ["wafv2:GetWebACLForResource"], Resource: a.elb });
  if (a.zone) {
    out.push({ Sid: "ReadZone", Effect: "Allow", Action: ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"], Resource: a.zone });
    out.push({ Sid: "ReadDnsChanges", Effect: "Allow", Action: ["route53:GetChange"], Resource: a.change });
  }
  return out;
}

/** What `pulumi up` of the console needs on top of preview — no IAM writes. */
export function deployStatements(p: AwsPermissionScope): AwsStatement[] {
  const out = [...previewStatements(p).filter((s) => !s.Sid.startsWith("State") && !s.Sid.startsWith("SecretsProvider")), ...stateStatements(p, true)];
  if (!p.region) return out;
  const a = arns(p);
  out.push({
    Sid: "ManageWaf",
    Effect: "Allow",
    Action: ["wafv2:AssociateWebACL", "wafv2:CreateWebACL", "wafv2:DeleteWebACL", "wafv2:DisassociateWebACL", "wafv2:TagResource", "wafv2:UntagResource", "wafv2:UpdateWebACL"],
    Resource: [...a.waf, ...a.elb],
  });
  out.push({ Sid: "AttachWafToAlb", Effect: "Allow", Action: ["elasticloadbalancing:SetWebAcl"], Resource: a.elb });
  const inRegion = { StringEquals: { "aws:RequestedRegion": p.region } };
  out.push({
    Sid: "ManageNetwork",
    Effect: "Allow",
    Action: [
      "ec2:AllocateAddress",
      "ec2:AssociateRouteTable",
      "ec2:AttachInternetGateway",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CreateInternetGateway",
      "ec2:CreateNatGateway",
      "ec2:CreateRoute",
      "ec2:CreateRouteTable",
      "ec2:CreateSecurityGroup",
      "ec2:CreateSubnet",
      "ec2:CreateTags",
      "ec2:CreateVpc",
      "ec2:DeleteInternetGateway",
      "ec2:DeleteNatGateway",
      "ec2:DeleteRoute",
      "ec2:DeleteRouteTable",
      "ec2:DeleteSecurityGroup",
      "ec2:DeleteSubnet",
      "ec2:DeleteTags",
      "ec2:DeleteVpc",
      "ec2:DetachInternetGateway",
      "ec2:DisassociateAddress",
      "ec2:DisassociateRouteTable",
      "ec2:ModifySecurityGroupRules",
      "ec2:ModifySubnetAttribute",
      "ec2:ModifyVpcAttribute",
      "ec2:ReleaseAddress",
      "ec2:ReplaceRoute",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ],
    Resource: a.ec2,
    Condition: inRegion,
  });
  out.push({
    Sid: "ManageLoadBalancer",
    Effect: "Allow",
    Action: [
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:ModifyListenerAttributes",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:RemoveTags",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
    ],
    Resource: a.elb,
  });
  out.push({
    Sid: "ManageEcs",
    Effect: "Allow",
    Action: ["ecs:CreateCluster", "ecs:CreateService", "ecs:DeleteCluster", "ecs:DeleteService", "ecs:TagResource", "ecs:UntagResource", "ecs:UpdateCluster", "ecs:UpdateService"],
    Resource: a.ecs,
  });
  out.push({
    Sid: "RegisterTaskDefinitions",
    Effect: "Allow",
    Action: ["ecs:DeregisterTaskDefinition", "ecs:RegisterTaskDefinition"],
    Resource: "*",
    Condition: inRegion,
  });
  out.push({
    Sid: "PassConsoleRolesToEcs",
    Effect: "Allow",
    Action: ["iam:PassRole"],
    Resource: a.consoleRoles,
    Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
  });
  out.push({
    Sid: "ManageAutoscaling",
    Effect: "Allow",
    Action: [
      "application-autoscaling:DeleteScalingPolicy",
      "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy",
      "application-autoscaling:RegisterScalableTarget",
      "application-autoscaling:TagResource",
      "application-autoscaling:UntagResource",
    ],
    Resource: a.scaling,
  });
  out.push({ Sid: "ManageScalingAlarms", Effect: "Allow", Action: ["cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm"], Resource: a.alarms });
  out.push({
    Sid: "ManageLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource"],
    Resource: a.logs,
  });
  out.push({
    Sid: "ManageRds",
    Effect: "Allow",
    Action: [
      "rds:AddTagsToResource",
      "rds:CreateDBInstance",
      "rds:CreateDBSnapshot",
      "rds:CreateDBSubnetGroup",
      "rds:DeleteDBSubnetGroup",
      "rds:ModifyDBInstance",
      "rds:ModifyDBSubnetGroup",
      "rds:RemoveTagsFromResource",
    ],
    Resource: a.rds,
  });
  out.push({
    Sid: "RdsManagedSecret",
    Effect: "Allow",
    Action: ["secretsmanager:CreateSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource"],
    Resource: a.rdsSecrets,
  });
  out.push({
    Sid: "ManageCertificates",
    Effect: "Allow",
    Action: ["acm:AddTagsToCertificate", "acm:DeleteCertificate", "acm:RemoveTagsFromCertificate", "acm:RequestCertificate"],
    Resource: a.acm,
  });
  out.push({
    Sid: "ManageLogBuckets",
    Effect: "Allow",
    Action: [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ],
    Resource: a.logBuckets,
  });
  if (a.zone) {
    out.push({ Sid: "ManageConsoleRecords", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"], Resource: a.zone });
  }
  return out;
}
