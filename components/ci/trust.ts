/**
 * GitHub Actions OIDC subjects and the trust expressions built from them. Pure functions: the
 * AWS trust policy and the GCP attribute condition/principal set are derived here only.
 */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
export const AWS_STS_AUDIENCE = "sts.amazonaws.com";

export interface GithubRepo {
  owner: string;
  repo: string;
  ownerId?: string;
}

/** The `sub` claim of a pull_request job (no environment) — what preview identities trust. */
export function pullRequestSubject(r: GithubRepo): string {
  return `repo:${r.owner}/${r.repo}:pull_request`;
}

/** The `sub` claim of a job that runs in a GitHub environment — what deploy identities trust. */
export function environmentSubject(r: GithubRepo, environment: string): string {
  return `repo:${r.owner}/${r.repo}:environment:${environment}`;
}

/** AWS role trust: only this OIDC provider, only the STS audience, only this exact subject. */
export function githubTrustPolicy(oidcProviderArn: string, subject: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GithubActionsOidc",
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: AWS_STS_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subject,
          },
        },
      },
    ],
  };
}

/** WIF attribute mapping: the claims the conditions and principal sets use. */
export const WIF_ATTRIBUTE_MAPPING: Record<string, string> = {
  "google.subject": "assertion.sub",
  "attribute.actor": "assertion.actor",
  "attribute.repository": "assertion.repository",
  "attribute.repository_id": "assertion.repository_id",
  "attribute.repository_owner": "assertion.repository_owner",
  "attribute.repository_owner_id": "assertion.repository_owner_id",
  "attribute.ref": "assertion.ref",
  "attribute.event_name": "assertion.event_name",
};

function celString(v: string): string {
  return JSON.stringify(v);
}

/**
 * WIF provider condition: tokens from other owners or repositories are rejected by the provider
 * itself (owner pinned by numeric id, so a renamed/re-registered owner does not match), and only
 * the given subject (pull_request, or one environment) is accepted.
 */
export function wifAttributeCondition(r: GithubRepo, subject: string): string {
  if (!r.ownerId) throw new Error("ci.github.ownerId: required for the GCP attribute condition");
  return [
    `assertion.repository_owner_id == ${celString(r.ownerId)}`,
    `assertion.repository == ${celString(`${r.owner}/${r.repo}`)}`,
    `assertion.sub == ${celString(subject)}`,
  ].join(" && ");
}

/** Workload identity pool resource name. */
export function poolName(projectNumber: string, poolId: string): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
}

/** The repository's principal set in one pool (never the whole pool). */
export function repositoryPrincipalSet(projectNumber: string, poolId: string, r: GithubRepo): string {
  return `principalSet://iam.googleapis.com/${poolName(projectNumber, poolId)}/attribute.repository/${r.owner}/${r.repo}`;
}
