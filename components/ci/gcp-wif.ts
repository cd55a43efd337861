import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ChildScope } from "../component.ts";
import { type GcpProjectApis, WIF_APIS, afterApis } from "../gcp/apis.ts";
import { GCP_PREVIEW_PERMISSIONS, STATE_BUCKET_ROLES, STATE_KMS_ROLES, gcpDeployPermissions } from "./gcp-permissions.ts";
import {
  GITHUB_OIDC_URL,
  type GithubRepo,
  WIF_ATTRIBUTE_MAPPING,
  environmentSubjects,
  poolName,
  pullRequestSubjects,
  repositoryPrincipalSet,
  wifAttributeCondition,
} from "./trust.ts";

export interface GcpCiArgs {
  github: GithubRepo;
  environments: string[];
  project: string;
  poolPrefix: string;
  stateBucket?: string;
  secretsKmsKey?: string;
  /** Pull-request previews may decrypt with the secrets key (never for production). */
  previewSecrets: boolean;
  /** The project's API enablement (shared with a console in the same project). */
  apis: GcpProjectApis;
  /** The console disables Cloud Run invoker IAM (access opted out): the deploy role must set it. */
  consoleInvokerIamDisabled: boolean;
}

export interface GcpIdentity {
  /** Full provider resource name, the `workload_identity_provider` of google-github-actions/auth. */
  provider: pulumi.Output<string>;
  serviceAccount: pulumi.Output<string>;
}

export interface GcpCi {
  preview: GcpIdentity;
  deploy: Record<string, GcpIdentity>;
}

const PROVIDER_ID = "github";

/** Pool ids are 4–32 characters: `<prefix>-<purpose>` (cut to fit) and the stack's random suffix. */
export function wifPoolId(prefix: string, purpose: string, suffix: string): string {
  return `${`${prefix}-${purpose}`.slice(0, 31 - suffix.length).replace(/-+$/, "")}-${suffix}`;
}

/**
 * Workload Identity Federation for GitHub Actions. One pool per purpose (`<prefix>-preview`,
 * `<prefix>-<env>`), each with one OIDC provider whose attribute condition pins the owner id,
 * the repository and the exact `sub` (pull_request, or that environment). Each service account
 * trusts only `principalSet://…/<its pool>/attribute.repository/<owner>/<repo>` — so a pull
 * request can never impersonate a deploy account — and holds a custom role, never basic roles.
 * No service account keys.
 */
export function createGcpCi(scope: ChildScope, args: GcpCiArgs): GcpCi {
  const s = afterApis(scope, args.apis.require(WIF_APIS));
  const projectNumber = gcp.organizations.getProjectOutput({ projectId: args.project }, s.opts()).number;
  const previewRole = new gcp.projects.IAMCustomRole(
    s.name("preview-role"),
    { project: args.project, roleId: "labfleetCiPreview", title: "labfleet CI preview", description: "read the console for pulumi preview", permissions: [...GCP_PREVIEW_PERMISSIONS], stage: "GA" },
    s.opts(),
  );
  const deployRole = new gcp.projects.IAMCustomRole(
    s.name("deploy-role"),
    { project: args.project, roleId: "labfleetCiDeploy", title: "labfleet CI deploy", description: "deploy the console (no IAM writes)", permissions: gcpDeployPermissions({ invokerIamDisabled: args.consoleInvokerIamDisabled }), stage: "GA" },
    s.opts(),
  );

  // A deleted pool keeps its id for 30 days: a random suffix, renewed with the stack, lets a
  // destroyed stack be created again at once.
  const suffix = new random.RandomId(s.name("pool-suffix"), { byteLength: 2 }, s.opts({ provider: undefined }));
  const identity = (purpose: string, accountId: string, subjects: string[], role: gcp.projects.IAMCustomRole, access: "preview" | "deploy"): GcpIdentity => {
    const poolId = suffix.hex.apply((hex) => wifPoolId(args.poolPrefix, purpose, hex));
    const pool = new gcp.iam.WorkloadIdentityPool(
      s.name(`${purpose}-pool`),
      { project: args.project, workloadIdentityPoolId: poolId, displayName: `GitHub ${purpose}`.slice(0, 32), description: `GitHub Actions: ${subjects[0]}` },
      s.opts(),
    );
    new gcp.iam.WorkloadIdentityPoolProvider(
      s.name(`${purpose}-provider`),
      {
        project: args.project,
        workloadIdentityPoolId: pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: PROVIDER_ID,
        displayName: "GitHub Actions",
        attributeMapping: WIF_ATTRIBUTE_MAPPING,
        attributeCondition: wifAttributeCondition(args.github, subjects),
        oidc: { issuerUri: GITHUB_OIDC_URL },
      },
      s.opts(),
    );
    const account = new gcp.serviceaccount.Account(
      s.name(`${purpose}-sa`),
      { project: args.project, accountId, displayName: `labfleet CI ${purpose}`, description: `GitHub Actions ${subjects[0]}` },
      s.opts(),
    );
    new gcp.serviceaccount.IAMMember(
      s.name(`${purpose}-wif-user`),
      {
        serviceAccountId: account.name,
        role: "roles/iam.workloadIdentityUser",
        member: pulumi.all([projectNumber, poolId]).apply(([n, id]) => repositoryPrincipalSet(n, id, args.github)),
      },
      s.opts(),
    );
    const member = pulumi.interpolate`serviceAccount:${account.email}`;
    new gcp.projects.IAMMember(s.name(`${purpose}-role`), { project: args.project, role: role.name, member }, s.opts());
    if (args.stateBucket) {
      new gcp.storage.BucketIAMMember(s.name(`${purpose}-state`), { bucket: args.stateBucket, role: STATE_BUCKET_ROLES[access], member }, s.opts());
    }
    if (args.secretsKmsKey && (access === "deploy" || args.previewSecrets)) {
      new gcp.kms.CryptoKeyIAMMember(s.name(`${purpose}-state-key`), { cryptoKeyId: args.secretsKmsKey, role: STATE_KMS_ROLES[access], member }, s.opts());
    }
    return { provider: pulumi.all([projectNumber, poolId]).apply(([n, id]) => `${poolName(n, id)}/providers/${PROVIDER_ID}`), serviceAccount: account.email };
  };

  const preview = identity("preview", "ci-preview", pullRequestSubjects(args.github), previewRole, "preview");
  const deploy: Record<string, GcpIdentity> = {};
  for (const env of args.environments) {
    deploy[env] = identity(env, `ci-deploy-${env}`, environmentSubjects(args.github, env), deployRole, "deploy");
  }
  return { preview, deploy };
}
