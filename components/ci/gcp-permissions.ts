/**
 * The GCP permissions of the CI service accounts, granted through project custom roles built
 * from these explicit lists (no basic roles, no *Admin roles, no setIamPolicy — except Cloud
 * Run's when a stack opts out of IAP, see `gcpDeployPermissions`): IAM and identity changes are
 * applied by an administrator after review. Both roles can `refresh` what the stack holds: the
 * IAM policies of the state bucket and key are readable (`getIamPolicy`), and the deploy
 * accounts read the one database secret through a binding on that secret (GcpConsole). The deploy account may act as
 * the console's runtime service account only — that grant lives on that account (GcpConsole).
 */

/** Read what the console and the CI identity consist of (refresh/preview). */
export const GCP_PREVIEW_PERMISSIONS = [
  "cloudsql.databases.get",
  "cloudsql.databases.list",
  "cloudsql.instances.get",
  "cloudsql.instances.list",
  "cloudkms.cryptoKeys.getIamPolicy",
  "cloudsql.users.list",
  "compute.backendServices.get",
  "compute.globalAddresses.get",
  "compute.globalForwardingRules.get",
  "compute.globalOperations.get",
  "compute.networks.get",
  "compute.regionNetworkEndpointGroups.get",
  "compute.regionOperations.get",
  "compute.securityPolicies.get",
  "compute.sslCertificates.get",
  "compute.sslPolicies.get",
  "compute.subnetworks.get",
  "compute.targetHttpProxies.get",
  "compute.targetHttpsProxies.get",
  "compute.urlMaps.get",
  "iam.roles.get",
  "iam.serviceAccounts.get",
  "iam.serviceAccounts.getIamPolicy",
  "iam.workloadIdentityPoolProviders.get",
  "iam.workloadIdentityPools.get",
  "iap.webServices.getIamPolicy",
  "resourcemanager.projects.get",
  "resourcemanager.projects.getIamPolicy",
  "run.executions.get",
  "run.executions.list",
  "run.jobs.get",
  "run.operations.get",
  "run.revisions.get",
  "run.revisions.list",
  "run.services.get",
  "run.services.getIamPolicy",
  "run.services.list",
  "secretmanager.secrets.get",
  "secretmanager.secrets.getIamPolicy",
  "secretmanager.versions.get",
  "servicenetworking.services.get",
  "serviceusage.services.get",
  "serviceusage.services.list",
  "storage.buckets.getIamPolicy",
] as const;

/** Create/update the console's workload, network, load balancer and data plane. */
export const GCP_DEPLOY_EXTRA_PERMISSIONS = [
  "cloudsql.databases.create",
  "cloudsql.databases.update",
  "cloudsql.instances.create",
  "cloudsql.instances.update",
  "cloudsql.users.create",
  "cloudsql.users.update",
  "compute.backendServices.create",
  "compute.backendServices.delete",
  "compute.backendServices.setSecurityPolicy",
  "compute.backendServices.update",
  "compute.backendServices.use",
  "compute.globalAddresses.create",
  "compute.globalAddresses.createInternal",
  "compute.globalAddresses.delete",
  "compute.globalAddresses.deleteInternal",
  "compute.globalAddresses.list",
  "compute.globalAddresses.setLabels",
  "compute.globalAddresses.use",
  "compute.globalForwardingRules.create",
  "compute.globalForwardingRules.delete",
  "compute.globalForwardingRules.setLabels",
  "compute.globalForwardingRules.setTarget",
  "compute.networks.create",
  "compute.networks.delete",
  "compute.networks.updatePolicy",
  "compute.networks.use",
  "compute.regionNetworkEndpointGroups.create",
  "compute.regionNetworkEndpointGroups.delete",
  "compute.regionNetworkEndpointGroups.use",
  "compute.securityPolicies.create",
  "compute.securityPolicies.delete",
  "compute.securityPolicies.update",
  "compute.securityPolicies.use",
  "compute.sslCertificates.create",
  "compute.sslCertificates.delete",
  "compute.sslPolicies.create",
  "compute.sslPolicies.delete",
  "compute.sslPolicies.update",
  "compute.sslPolicies.use",
  "compute.subnetworks.create",
  "compute.subnetworks.delete",
  "compute.subnetworks.update",
  "compute.subnetworks.use",
  "compute.targetHttpProxies.create",
  "compute.targetHttpProxies.delete",
  "compute.targetHttpProxies.setUrlMap",
  "compute.targetHttpProxies.use",
  "compute.targetHttpsProxies.create",
  "compute.targetHttpsProxies.delete",
  "compute.targetHttpsProxies.setSslCertificates",
  "compute.targetHttpsProxies.setSslPolicy",
  "compute.targetHttpsProxies.setUrlMap",
  "compute.targetHttpsProxies.use",
  "compute.urlMaps.create",
  "compute.urlMaps.delete",
  "compute.urlMaps.update",
  "compute.urlMaps.use",
  "run.jobs.create",
  "run.jobs.delete",
  "run.jobs.run",
  "run.jobs.update",
  "run.services.create",
  "run.services.delete",
  "run.services.update",
  "secretmanager.secrets.create",
  "secretmanager.secrets.update",
  "secretmanager.versions.add",
  "secretmanager.versions.destroy",
  "secretmanager.versions.disable",
  "secretmanager.versions.enable",
  "servicenetworking.operations.get",
  "servicenetworking.services.addPeering",
] as const;

export const GCP_DEPLOY_PERMISSIONS = [...GCP_PREVIEW_PERMISSIONS, ...GCP_DEPLOY_EXTRA_PERMISSIONS].sort();

/**
 * The deploy role's permissions for this stack. Setting `invokerIamDisabled` on a Cloud Run
 * service needs `run.services.setIamPolicy`; it is granted only when the console opted out of
 * IAP (then invoker IAM is disabled), never otherwise.
 */
export function gcpDeployPermissions(o: { invokerIamDisabled: boolean }): string[] {
  return o.invokerIamDisabled ? [...GCP_DEPLOY_PERMISSIONS, "run.services.setIamPolicy"].sort() : GCP_DEPLOY_PERMISSIONS;
}

/** Bucket-level roles on the Pulumi state bucket. */
export const STATE_BUCKET_ROLES = { preview: "roles/storage.objectViewer", deploy: "roles/storage.objectUser" } as const;

/** Key-level roles on the Pulumi secrets-provider key. */
export const STATE_KMS_ROLES = { preview: "roles/cloudkms.cryptoKeyDecrypter", deploy: "roles/cloudkms.cryptoKeyEncrypterDecrypter" } as const;
