import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ArtifactsSettings } from "../artifacts/settings.ts";
import {
  READER_ATTRIBUTE_MAPPING,
  UPLOADER_ATTRIBUTE_MAPPING,
  projectPrincipalSet,
  readerAttributeCondition,
  upstreamRepo,
  uploaderAttributeCondition,
} from "../artifacts/trust.ts";
import { GITHUB_OIDC_URL, poolName, repositoryPrincipalSet } from "../ci/trust.ts";
import { wifPoolId } from "../ci/gcp-wif.ts";
import type { ChildScope } from "../component.ts";
import { type GcpProjectApis, WIF_APIS, afterApis } from "./apis.ts";

/** The Google APIs the GCP artifact store needs: Cloud Storage and Workload Identity Federation. */
export const ARTIFACT_APIS = ["storage.googleapis.com", ...WIF_APIS] as const;

export interface GcpArtifactBucketArgs {
  settings: ArtifactsSettings & { gcp: NonNullable<ArtifactsSettings["gcp"]> };
  apis: GcpProjectApis;
  /** The stack's deploy service accounts (CiIdentity's, per GitHub environment): they read builds to flash slots by commit. */
  deployServiceAccounts?: Record<string, pulumi.Input<string>>;
}

export interface GcpArtifactBucket {
  bucket: pulumi.Output<string>;
  uploadProvider: pulumi.Output<string>;
  uploadServiceAccount: pulumi.Output<string>;
  readProvider: pulumi.Output<string>;
  readServiceAccount: pulumi.Output<string>;
}

/**
 * The store on GCS: uniform bucket-level access, public access prevention enforced, versioning,
 * lifecycle from config, CMEK when a key is configured (else Google-managed keys). One Workload
 * Identity pool with two providers — `github` (the upstream lane's upload job) and `gitlab` (the
 * hardware lane's jobs) — each bound to its own service account, which holds a bucket-level role
 * only (objectUser to write builds and rewrite the manifest; objectViewer to read). No keys.
 * The stack's deploy accounts get objectViewer too: `pulumi up` fetches the builds it flashes by
 * commit and copies them to the runner hosts (docs/design/artifacts.md).
 */
export function createGcpArtifactBucket(scope: ChildScope, args: GcpArtifactBucketArgs): GcpArtifactBucket {
  const c = args.settings;
  const project = c.gcp.project;
  const s = afterApis(scope, args.apis.require(ARTIFACT_APIS));
  const projectNumber = gcp.organizations.getProjectOutput({ projectId: project }, s.opts()).number;

  const keyGrant = c.gcp.kmsKeyName
    ? new gcp.kms.CryptoKeyIAMMember(
        s.name("cmek-agent"),
        {
          cryptoKeyId: c.gcp.kmsKeyName,
          role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
          member: pulumi.interpolate`serviceAccount:${gcp.storage.getProjectServiceAccountOutput({ project }, s.opts()).emailAddress}`,
        },
        s.opts(),
      )
    : undefined;
  const bucket = new gcp.storage.Bucket(
    s.name("bucket"),
    {
      project,
      name: c.bucket,
      location: c.gcp.location,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      ...(c.gcp.kmsKeyName ? { encryption: { defaultKmsKeyName: c.gcp.kmsKeyName } } : {}),
      lifecycleRules: [
        { action: { type: "Delete" }, condition: { age: c.retentionDays, withState: "ANY" } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: c.noncurrentRetentionDays, withState: "ARCHIVED" } },
      ],
      labels: s.labels(),
    },
    s.opts(keyGrant ? { dependsOn: [keyGrant] } : {}),
  );

  const suffix = new random.RandomId(s.name("pool-suffix"), { byteLength: 2 }, s.opts({ provider: undefined }));
  const poolId = suffix.hex.apply((hex) => wifPoolId(c.gcp.poolPrefix, "fw", hex));
  const pool = new gcp.iam.WorkloadIdentityPool(
    s.name("pool"),
    { project, workloadIdentityPoolId: poolId, displayName: "labfleet artifacts", description: `upload: ${c.upstream.owner}/${c.upstream.repo}; read: ${c.readers.projects.join(", ")}`.slice(0, 256) },
    s.opts(),
  );
  const fullPool = pulumi.all([projectNumber, poolId]).apply(([n, id]) => poolName(n, id));
  const provider = (id: string, spec: Omit<gcp.iam.WorkloadIdentityPoolProviderArgs, "project" | "workloadIdentityPoolId" | "workloadIdentityPoolProviderId">) => {
    new gcp.iam.WorkloadIdentityPoolProvider(s.name(`${id}-provider`), { project, workloadIdentityPoolId: pool.workloadIdentityPoolId, workloadIdentityPoolProviderId: id, ...spec }, s.opts());
    return pulumi.interpolate`${fullPool}/providers/${id}`;
  };
  const uploadProvider = provider("github", {
    displayName: "GitHub upstream lane",
    attributeMapping: UPLOADER_ATTRIBUTE_MAPPING,
    attributeCondition: uploaderAttributeCondition(c.upstream),
    oidc: { issuerUri: GITHUB_OIDC_URL },
  });
  const readProvider = provider("gitlab", {
    displayName: "GitLab hardware lane",
    attributeMapping: READER_ATTRIBUTE_MAPPING,
    attributeCondition: readerAttributeCondition(c.readers),
    oidc: { issuerUri: c.readers.issuer, allowedAudiences: [c.readers.audience] },
  });

  const account = (id: string, description: string, members: pulumi.Output<string>[], role: string) => {
    const sa = new gcp.serviceaccount.Account(s.name(`${id}-sa`), { project, accountId: `artifacts-${id}`, displayName: `labfleet artifacts ${id}`, description }, s.opts());
    members.forEach((member, i) => {
      new gcp.serviceaccount.IAMMember(s.name(`${id}-wif-user${i === 0 ? "" : `-${i}`}`), { serviceAccountId: sa.name, role: "roles/iam.workloadIdentityUser", member }, s.opts());
    });
    new gcp.storage.BucketIAMMember(s.name(`${id}-bucket`), { bucket: bucket.name, role, member: pulumi.interpolate`serviceAccount:${sa.email}` }, s.opts());
    return sa.email;
  };
  const uploadServiceAccount = account(
    "upload",
    `upstream lane: ${c.upstream.owner}/${c.upstream.repo} ${c.upstream.ref}`,
    [pulumi.all([projectNumber, poolId]).apply(([n, id]) => repositoryPrincipalSet(n, id, upstreamRepo(c.upstream)))],
    "roles/storage.objectUser",
  );
  const readServiceAccount = account(
    "read",
    `hardware lane: ${c.readers.projects.join(", ")}`.slice(0, 256),
    c.readers.projects.map((p) => fullPool.apply((pl) => projectPrincipalSet(pl, p))),
    "roles/storage.objectViewer",
  );
  for (const [env, email] of Object.entries(args.deployServiceAccounts ?? {})) {
    new gcp.storage.BucketIAMMember(s.name(`deploy-${env}-bucket`), { bucket: bucket.name, role: "roles/storage.objectViewer", member: pulumi.interpolate`serviceAccount:${email}` }, s.opts());
  }
  return { bucket: bucket.name, uploadProvider, uploadServiceAccount, readProvider, readServiceAccount };
}
