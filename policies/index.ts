import { PolicyPack } from "@pulumi/policy";
import { packEnforcementLevel, packName, policies } from "./pack.ts";

/**
 * CrossGuard entry: `pulumi preview --policy-pack policies [--policy-pack-config
 * policies/approvals/<stack>.json]`. Constructing the PolicyPack starts the analyzer gRPC server
 * and prints its port for the CLI. Loaded through index.cjs (see there).
 */
new PolicyPack(packName, {
  policies,
  enforcementLevel: packEnforcementLevel,
  description: "labfleet governance: approvals for IAM/secret/identity changes, keyless CI, least privilege, private, backed-up and recoverable databases, HTTPS-only ingress with strong TLS, hardened containers, logged networks and load balancers, no public buckets or services, stable hardware identities, job limits.",
});
