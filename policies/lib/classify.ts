import { federatedPrincipals, parsePolicyDocument } from "./iam.ts";
import { asArray, isUnknown } from "./reveal.ts";
import { dynamicKind, isGcpIamGrant } from "./resource.ts";

/**
 * Which approval gate a resource falls under. Each gated resource belongs to exactly one gate,
 * by precedence: identity federation, then secrets, then IAM.
 */
export type Gate = "wif" | "secret" | "iam" | "github";

/** GitHub resources that decide who can merge, deploy or approve. */
export const GITHUB_ACCESS_TYPES = new Set([
  "github:index/branchProtection:BranchProtection",
  "github:index/branchProtectionV3:BranchProtectionV3",
  "github:index/repositoryRuleset:RepositoryRuleset",
  "github:index/organizationRuleset:OrganizationRuleset",
  "github:index/repositoryEnvironment:RepositoryEnvironment",
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
  "github:index/repositoryDeploymentBranchPolicy:RepositoryDeploymentBranchPolicy",
  "github:index/repositoryCollaborator:RepositoryCollaborator",
  "github:index/repositoryCollaborators:RepositoryCollaborators",
  "github:index/repositoryDeployKey:RepositoryDeployKey",
  "github:index/membership:Membership",
  "github:index/teamMembership:TeamMembership",
  "github:index/teamMembers:TeamMembers",
  "github:index/teamRepository:TeamRepository",
  "github:index/teamSyncGroupMapping:TeamSyncGroupMapping",
  "github:index/organizationRoleTeam:OrganizationRoleTeam",
  "github:index/organizationRoleTeamAssignment:OrganizationRoleTeamAssignment",
]);

const GITHUB_VARIABLE_TYPES = new Set([
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
  "github:index/actionsVariable:ActionsVariable",
  "github:index/actionsOrganizationVariable:ActionsOrganizationVariable",
]);

/** Variable names that hold an identity a workflow assumes (role ARNs, WIF providers, service accounts). */
export const IDENTITY_VARIABLE = /ROLE|WIF|WORKLOAD_IDENTITY|PROVIDER|SERVICE_ACCOUNT|IDENTITY|PRINCIPAL/i;

function isGithubGated(type: string, props: Record<string, unknown>): boolean {
  if (GITHUB_ACCESS_TYPES.has(type)) return true;
  if (!GITHUB_VARIABLE_TYPES.has(type)) return false;
  const name = props.variableName;
  return typeof name !== "string" || IDENTITY_VARIABLE.test(name);
}

const WIF_TYPES = new Set([
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:iam/samlProvider:SamlProvider",
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  "gcp:iam/workforcePool:WorkforcePool",
  "gcp:iam/workforcePoolProvider:WorkforcePoolProvider",
]);

const SECRET_TYPES = new Set([
  "aws:secretsmanager/secret:Secret",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "aws:secretsmanager/secretRotation:SecretRotation",
  "gcp:secretmanager/secret:Secret",
  "gcp:secretmanager/secretVersion:SecretVersion",
  "random:index/randomPassword:RandomPassword",
  "tls:index/privateKey:PrivateKey",
]);

const IAM_EXTRA_TYPES = new Set([
  "aws:secretsmanager/secretPolicy:SecretPolicy",
  "aws:kms/keyPolicy:KeyPolicy",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy",
  "gcp:serviceaccount/account:Account",
  "gcp:projects/iAMCustomRole:IAMCustomRole",
  "gcp:organizations/iAMCustomRole:IAMCustomRole",
]);

/**
 * labfleet dynamic resources that create or rotate secret material: GitLab role access tokens and
 * runner authentication tokens, WireGuard peer key pairs, CI/CD variables (the hardware lane's
 * masked tokens); for generic dynamic resources, a `kind`
 * naming a token, key, secret, password or credential.
 */
export const SECRET_DYNAMIC_KINDS = new Set(["gitlab:ProjectAccessToken", "gitlab:Runner", "gitlab:CiVariable", "wireguard:WireGuardPeer"]);
const SECRET_KIND_WORDS = /(token|key|secret|password|credential)/i;

function trustsWebIdentity(props: Record<string, unknown>): boolean {
  const doc = parsePolicyDocument(props.assumeRolePolicy);
  if (!doc.ok) return false;
  return doc.statements.some(
    (s) =>
      s.actions.some((a) => /^sts:AssumeRoleWith(WebIdentity|SAML)$/i.test(a)) ||
      federatedPrincipals(s.principal).some((p) => typeof p === "string"),
  );
}

function grantsWorkloadIdentity(props: Record<string, unknown>): boolean {
  const role = props.role;
  if (role === "roles/iam.workloadIdentityUser" || role === "roles/iam.serviceAccountTokenCreator") return true;
  const members = [...asArray(props.member), ...asArray(props.members)];
  return members.some((m) => typeof m === "string" && /^principal(Set)?:\/\//.test(m));
}

export function gateOf(type: string, props: Record<string, unknown>): Gate | undefined {
  if (isGithubGated(type, props)) return "github";
  if (WIF_TYPES.has(type)) return "wif";
  if (type === "aws:iam/role:Role" && trustsWebIdentity(props)) return "wif";
  if (isGcpIamGrant(type) && grantsWorkloadIdentity(props)) return "wif";
  if (SECRET_TYPES.has(type)) return "secret";
  if (type === "aws:ssm/parameter:Parameter" && (props.type === "SecureString" || isUnknown(props.type))) return "secret";
  const kind = dynamicKind(type, props);
  if (kind && (SECRET_DYNAMIC_KINDS.has(kind) || (type === "pulumi-nodejs:dynamic:Resource" && SECRET_KIND_WORDS.test(kind)))) return "secret";
  if (type.startsWith("aws:iam/") || isGcpIamGrant(type) || IAM_EXTRA_TYPES.has(type)) return "iam";
  return undefined;
}
