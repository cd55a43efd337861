import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { albProductionHardening } from "./rules/alb-production-hardening.ts";
import { artifactStoreHardening } from "./rules/artifact-store-hardening.ts";
import { cloudrunIngressViaLb } from "./rules/cloudrun-ingress-via-lb.ts";
import { cloudrunNoPublicInvoker } from "./rules/cloudrun-no-public-invoker.ts";
import { cloudsqlHardening } from "./rules/cloudsql-hardening.ts";
import { cloudsqlPitr } from "./rules/cloudsql-pitr.ts";
import { ecsContainerHardening } from "./rules/ecs-container-hardening.ts";
import { ecsNoPublicIp } from "./rules/ecs-no-public-ip.ts";
import { githubChangeApproval } from "./rules/github-change-approval.ts";
import { githubDefaultBranchProtected } from "./rules/github-default-branch-protected.ts";
import { githubProductionEnvironment } from "./rules/github-production-environment.ts";
import { httpsProxySslPolicy } from "./rules/https-proxy-ssl-policy.ts";
import { hutStableSerial } from "./rules/hut-stable-serial.ts";
import { iamChangeApproval } from "./rules/iam-change-approval.ts";
import { iamLeastPrivilege } from "./rules/iam-least-privilege.ts";
import { jobTimeoutsWithinRoleLimits } from "./rules/job-timeouts-within-role-limits.ts";
import { lbHttpsOnly } from "./rules/lb-https-only.ts";
import { lbTlsPolicyFloor } from "./rules/lb-tls-policy-floor.ts";
import { logGroupRetention } from "./rules/log-group-retention.ts";
import { noProjectSaImpersonation } from "./rules/no-project-sa-impersonation.ts";
import { noStaticCloudKeys } from "./rules/no-static-cloud-keys.ts";
import { oidcTrustScoped } from "./rules/oidc-trust-scoped.ts";
import { rdsHardening } from "./rules/rds-hardening.ts";
import { rdsMultiAz } from "./rules/rds-multi-az.ts";
import { requiredTags } from "./rules/required-tags.ts";
import { roleRepoBoundary } from "./rules/role-repo-boundary.ts";
import { s3PublicAccessBlock } from "./rules/s3-public-access-block.ts";
import { secretChangeApproval } from "./rules/secret-change-approval.ts";
import { sgNoPublicIngress } from "./rules/sg-no-public-ingress.ts";
import { vpcFlowLogs } from "./rules/vpc-flow-logs.ts";
import { wifChangeApproval } from "./rules/wif-change-approval.ts";
import { wireguardKeyAge } from "./rules/wireguard-key-age.ts";

/**
 * The labfleet governance pack (docs/policies.md), one rule per file under rules/. The CrossGuard entry
 * (index.ts) and the offline evaluator (tools/plan/policy-engine.ts) both take the list from here. This module
 * must not construct a PolicyPack: that starts the analyzer gRPC server.
 */
export const packName = "labfleet-governance";
export const packEnforcementLevel: EnforcementLevel = "mandatory";

export const policies: Policies = [
  iamChangeApproval,
  secretChangeApproval,
  wifChangeApproval,
  githubChangeApproval,
  noStaticCloudKeys,
  iamLeastPrivilege,
  noProjectSaImpersonation,
  oidcTrustScoped,
  rdsHardening,
  rdsMultiAz,
  cloudsqlHardening,
  cloudsqlPitr,
  lbHttpsOnly,
  lbTlsPolicyFloor,
  albProductionHardening,
  httpsProxySslPolicy,
  sgNoPublicIngress,
  vpcFlowLogs,
  s3PublicAccessBlock,
  artifactStoreHardening,
  ecsNoPublicIp,
  ecsContainerHardening,
  logGroupRetention,
  cloudrunIngressViaLb,
  cloudrunNoPublicInvoker,
  roleRepoBoundary,
  githubDefaultBranchProtected,
  githubProductionEnvironment,
  hutStableSerial,
  jobTimeoutsWithinRoleLimits,
  wireguardKeyAge,
  requiredTags,
];
