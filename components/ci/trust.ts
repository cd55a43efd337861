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
  repositoryId?: string;
}

/**
 * The repository part of a `sub` claim, in each form GitHub may send: the name form
 * (`owner/repo`) and, when both numeric ids are configured, the immutable form
 * (`owner@<owner id>/repo@<repository id>`) that repositories created from mid-2026 (and those
 * that opted in) send.
 */
function subjectRepos(r: GithubRepo): string[] {
  const name = `${r.owner}/${r.repo}`;
  return r.ownerId && r.repositoryId ? [name, `${r.owner}@${r.ownerId}/${r.repo}@${r.repositoryId}`] : [name];
}

/** The `sub` claims of a pull_request job (no environment) — what preview identities trust. */
export function pullRequestSubjects(r: GithubRepo): string[] {
  return subjectRepos(r).map((repo) => `repo:${repo}:pull_request`);
}

/** The `sub` claims of a job that runs in a GitHub environment — what deploy identities trust. */
export function environmentSubjects(r: GithubRepo, environment: string): string[] {
  return subjectRepos(r).map((repo) => `repo:${repo}:environment:${environment}`);
}

/** The `sub` claims of a job running on one git ref (`refs/heads/main`), without an environment. */
export function refSubjects(r: GithubRepo, ref: string): string[] {
  return subjectRepos(r).map((repo) => `repo:${repo}:ref:${ref}`);
}

/** An AWS role trust document: one web-identity statement for one OIDC provider, every claim compared exactly. */
export function webIdentityTrustPolicy(sid: string, oidcProviderArn: string, stringEquals: Record<string, string | string[]>): object {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Principal: { Federated: oidcProviderArn }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: stringEquals } }],
  };
}

/** A claim's allowed values: one value as a string, several as a list. */
export const oneOrMany = (values: string[]): string | string[] => (values.length === 1 ? values[0]! : values);

/**
 * AWS role trust: only this OIDC provider, only the STS audience, only these exact subjects, and
 * any further GitHub claims given (e.g. `job_workflow_ref`), all compared exactly.
 */
export function githubTrustPolicy(oidcProviderArn: string, subjects: string[], claims: Record<string, string> = {}, sid = "GithubActionsOidc"): object {
  const extra = Object.fromEntries(Object.entries(claims).map(([k, v]) => [`${GITHUB_OIDC_HOST}:${k}`, v]));
  return webIdentityTrustPolicy(sid, oidcProviderArn, { [`${GITHUB_OIDC_HOST}:aud`]: AWS_STS_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: oneOrMany(subjects), ...extra });
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
 * itself (owner and repository pinned by numeric id, so a renamed or re-registered owner or
 * repository does not match), and only the given subjects (pull_request, or one environment, in
 * either subject form) are accepted.
 */
export function wifAttributeCondition(r: GithubRepo, subjects: string[]): string {
  if (!r.ownerId) throw new Error("ci.github.ownerId: required for the GCP attribute condition");
  if (!r.repositoryId) throw new Error("ci.github.repositoryId: required for the GCP attribute condition");
  const sub = subjects.length === 1 ? `assertion.sub == ${celString(subjects[0]!)}` : `assertion.sub in [${subjects.map(celString).join(", ")}]`;
  return [
    `assertion.repository_owner_id == ${celString(r.ownerId)}`,
    `assertion.repository_id == ${celString(r.repositoryId)}`,
    `assertion.repository == ${celString(`${r.owner}/${r.repo}`)}`,
    sub,
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
