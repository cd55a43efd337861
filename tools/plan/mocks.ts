import { createHash } from "node:crypto";
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
    resourceId: `db-${createHash("sha256").update(n).digest("hex").slice(0, 26).toUpperCase()}`,
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
  "gcp:projects/serviceIdentity:ServiceIdentity": (_n, i) => ({ email: `service-123456789@gcp-sa-${String(i.service).split(".")[0]}.iam.gserviceaccount.com` }),
  "random:index/randomPassword:RandomPassword": () => ({ result: "offline-random-password" }),
  "random:index/randomId:RandomId": (n, i) => ({ hex: createHash("sha256").update(n).digest("hex").slice(0, 2 * Number(i.byteLength ?? 4)) }),
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
  if (args.type.startsWith("gcp:compute/")) state.selfLink ??= `https://www.googleapis.com/compute/v1/projects/proj/global/${args.type.split(":").pop()}/${args.name}`;
  state.name ??= args.name;
  return { id: `${args.name}-id`, state };
}

/**
 * The region's zones as EC2 describes them: an opted-in Local Zone is "available" like the AZs
 * (and sorts first); `getAvailabilityZones` filters are honoured as the API does.
 */
const ZONES = [
  { name: `${REGION}-ham-1a`, zoneId: "euc1-ham1-az1", "zone-type": "local-zone", "opt-in-status": "opted-in" },
  { name: `${REGION}a`, zoneId: "euc1-az2", "zone-type": "availability-zone", "opt-in-status": "opt-in-not-required" },
  { name: `${REGION}b`, zoneId: "euc1-az3", "zone-type": "availability-zone", "opt-in-status": "opt-in-not-required" },
  { name: `${REGION}c`, zoneId: "euc1-az1", "zone-type": "availability-zone", "opt-in-status": "opt-in-not-required" },
];

function availabilityZones(inputs: Record<string, unknown>): Record<string, unknown> {
  const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
  const zones = ZONES.filter((z) => filters.every((f) => f.values.includes((z as Record<string, string>)[f.name] ?? "")));
  return { names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.zoneId) };
}

/** Canned answers for invokes, by token. Unknown invokes echo their arguments. */
const invokes: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": availabilityZones,
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/offline`, userId: "OFFLINE" }),
  "aws:index/getRegion:getRegion": () => ({ name: REGION, region: REGION, id: REGION }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (i) => ({ json: JSON.stringify(i) }),
  "gcp:organizations/getProject:getProject": (i) => ({ number: "123456789", projectId: i.projectId ?? "proj" }),
};

export function call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  return invokes[args.token]?.(inputs) ?? inputs;
}

export const mocks: pulumi.runtime.Mocks = { newResource, call };
