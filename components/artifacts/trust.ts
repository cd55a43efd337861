import { type GithubRepo, WIF_ATTRIBUTE_MAPPING, githubTrustPolicy, oneOrMany, refSubjects, webIdentityTrustPolicy } from "../ci/trust.ts";
import type { ArtifactsSettings } from "./settings.ts";

/**
 * Who may write and who may read the artifact store (docs/design/artifacts.md, "Identities").
 * Pure functions: the AWS trust policies and the GCP attribute conditions are derived here only.
 *
 * - writer: the upstream lane's upload job — a GitHub OIDC token of the product repository, on
 *   its configured ref, running the reusable upload workflow (`job_workflow_ref`);
 * - readers: the hardware lane's GitLab CI jobs — a GitLab `id_tokens` token with the store's
 *   audience, from the runner role's projects, on their configured branches.
 */

type Upstream = ArtifactsSettings["upstream"];
type Readers = ArtifactsSettings["readers"];

export function upstreamRepo(u: Upstream): GithubRepo {
  return { owner: u.owner, repo: u.repo, ownerId: u.ownerId, repositoryId: u.repositoryId };
}

/** The `sub` claims of the upload job (name and immutable forms). */
export function uploaderSubjects(u: Upstream): string[] {
  return refSubjects(upstreamRepo(u), u.ref);
}

/** AWS trust of the upload role: GitHub's provider, the STS audience, the subjects, the repository id and the workflow. */
export function uploaderTrustPolicy(oidcProviderArn: string, u: Upstream): object {
  return githubTrustPolicy(oidcProviderArn, uploaderSubjects(u), { repository_id: u.repositoryId, job_workflow_ref: u.workflow }, "UpstreamLaneUpload");
}

/** The GitLab issuer's host, the prefix of its claims in AWS condition keys. */
export function issuerHost(issuer: string): string {
  return new URL(issuer).host;
}

/** The `sub` claims of the reader jobs: `project_path:<group>/<project>:ref_type:branch:ref:<branch>`. */
export function readerSubjects(r: Readers): string[] {
  return r.projects.flatMap((p) => r.refs.map((ref) => `project_path:${p}:ref_type:branch:ref:${ref}`));
}

/** AWS trust of the read role: the GitLab provider, the store's audience, the exact subjects. */
export function readerTrustPolicy(gitlabProviderArn: string, r: Readers): object {
  const host = issuerHost(r.issuer);
  return webIdentityTrustPolicy("HardwareLaneRead", gitlabProviderArn, { [`${host}:aud`]: r.audience, [`${host}:sub`]: oneOrMany(readerSubjects(r)) });
}

const cel = (v: string) => JSON.stringify(v);
const celIn = (claim: string, values: string[]) => (values.length === 1 ? `${claim} == ${cel(values[0]!)}` : `${claim} in [${values.map(cel).join(", ")}]`);

/** WIF mapping of the upload provider: the CI mapping plus the reusable workflow's ref. */
export const UPLOADER_ATTRIBUTE_MAPPING: Record<string, string> = { ...WIF_ATTRIBUTE_MAPPING, "attribute.job_workflow_ref": "assertion.job_workflow_ref" };

/** WIF condition of the upload provider: owner and repository pinned by id and name, the ref and the workflow. */
export function uploaderAttributeCondition(u: Upstream): string {
  return [
    `assertion.repository_owner_id == ${cel(u.ownerId)}`,
    `assertion.repository_id == ${cel(u.repositoryId)}`,
    `assertion.repository == ${cel(`${u.owner}/${u.repo}`)}`,
    `assertion.ref == ${cel(u.ref)}`,
    `assertion.job_workflow_ref == ${cel(u.workflow)}`,
  ].join(" && ");
}

/** WIF mapping of the GitLab reader provider. */
export const READER_ATTRIBUTE_MAPPING: Record<string, string> = {
  "google.subject": "assertion.sub",
  "attribute.project_path": "assertion.project_path",
  "attribute.ref": "assertion.ref",
  "attribute.ref_type": "assertion.ref_type",
};

/** WIF condition of the GitLab reader provider: the runner role's projects, on their branches. */
export function readerAttributeCondition(r: Readers): string {
  return [celIn("assertion.project_path", r.projects), 'assertion.ref_type == "branch"', celIn("assertion.ref", r.refs)].join(" && ");
}

export function projectPrincipalSet(pool: string, projectPath: string): string {
  return `principalSet://iam.googleapis.com/${pool}/attribute.project_path/${projectPath}`;
}
