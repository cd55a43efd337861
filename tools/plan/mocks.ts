import type * as pulumi from "@pulumi/pulumi";

/**
 * Offline stand-ins for the cloud: deterministic ids/ARNs for new resources and canned answers
 * for the invokes the program makes. One home for every mock the plan, tests and bench use.
 */
const REGION = "eu-central-1";
const ACCOUNT = "123456789012";

function arnFor(type: string, name: string): string {
  const [, mod = "x", kind = "x"] = type.split(":");
  const service = mod.split("/")[0];
  return `arn:aws:${service}:${REGION}:${ACCOUNT}:${kind.split("/").pop()?.toLowerCase()}/${name}`;
}

/** Extra state a real provider would compute, keyed by type token. */
const computed: Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "aws:lb/loadBalancer:LoadBalancer": (n) => ({ dnsName: `${n}-1234567890.${REGION}.elb.amazonaws.com`, zoneId: "Z215JYRZR1TBD5" }),
  "aws:rds/instance:Instance": (n) => ({
    endpoint: `${n}.abcdefghijkl.${REGION}.rds.amazonaws.com:5432`,
    address: `${n}.abcdefghijkl.${REGION}.rds.amazonaws.com`,
    masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-${n}`, secretStatus: "active" }],
  }),
  "aws:acm/certificate:Certificate": (n, i) => ({
    domainValidationOptions: [
      { domainName: i.domainName, resourceRecordName: `_x.${String(i.domainName)}.`, resourceRecordType: "CNAME", resourceRecordValue: `_y.${n}.acm-validations.aws.` },
    ],
  }),
  "gcp:sql/databaseInstance:DatabaseInstance": (n, i) => ({ connectionName: `${String(i.project ?? "proj")}:${String(i.region ?? "region")}:${n}`, privateIpAddress: "10.10.0.3" }),
  "gcp:compute/globalAddress:GlobalAddress": () => ({ address: "203.0.113.10" }),
  "gcp:cloudrunv2/service:Service": (n) => ({ uri: `https://${n}-abc123-ew.a.run.app` }),
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (n, i) => ({
    name: `projects/123456789/locations/global/workloadIdentityPools/${String(i.workloadIdentityPoolId)}/providers/${n}`,
  }),
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (n) => ({ name: `projects/123456789/locations/global/workloadIdentityPools/${n}` }),
  "gcp:serviceaccount/account:Account": (_n, i) => ({ email: `${String(i.accountId)}@proj.iam.gserviceaccount.com` }),
  "random:index/randomPassword:RandomPassword": () => ({ result: "offline-random-password" }),
  // cloud (AwsConsole/GcpConsole): names/versions the providers compute.
  "aws:s3/bucket:Bucket": (n, i) => ({ bucket: `${String(i.bucketPrefix ?? "")}${n}` }),
  "gcp:secretmanager/secretVersion:SecretVersion": (_n, i) => ({ version: "1", name: `${String(i.secret)}/versions/1` }),
  // GitLab: a runner's id and authentication token (a secret output, e.g. in a runner's config.toml).
  "pulumi-nodejs:dynamic/gitlab:Runner": (n) => ({ runnerId: 4242, token: `glrt-offline-${n}` }),
};

export function newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  const extra = computed[args.type]?.(args.name, inputs) ?? {};
  const state: Record<string, unknown> = { ...inputs, ...extra };
  if (args.type.startsWith("aws:")) state.arn ??= arnFor(args.type, args.name);
  state.name ??= args.name;
  return { id: `${args.name}-id`, state };
}

/** Canned answers for invokes, by token. Unknown invokes echo their arguments. */
const invokes: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    names: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
    zoneIds: ["euc1-az1", "euc1-az2", "euc1-az3"],
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/offline`, userId: "OFFLINE" }),
  "aws:index/getRegion:getRegion": () => ({ name: REGION, region: REGION, id: REGION }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
  "aws:elb/getServiceAccount:getServiceAccount": () => ({ arn: "arn:aws:iam::054676820928:root", id: "054676820928" }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (i) => ({ json: JSON.stringify(i) }),
  "gcp:organizations/getProject:getProject": (i) => ({ number: "123456789", projectId: i.projectId ?? "proj" }),
};

export function call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  return invokes[args.token]?.(inputs) ?? inputs;
}

export const mocks: pulumi.runtime.Mocks = { newResource, call };
