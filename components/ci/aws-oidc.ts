import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";
import { type AwsPermissionScope, deployStatements, previewStatements } from "./aws-permissions.ts";
import { AWS_STS_AUDIENCE, GITHUB_OIDC_URL, type GithubRepo, environmentSubjects, githubTrustPolicy, pullRequestSubjects } from "./trust.ts";

export interface AwsCiArgs {
  github: GithubRepo;
  environments: string[];
  stack: string;
  project: string;
  /** Existing GitHub OIDC provider of the account (one per account); created when absent. */
  oidcProviderArn?: string;
  maxSessionSeconds: number;
  scope: Omit<AwsPermissionScope, "partition" | "account">;
}

export interface AwsCi {
  oidcProviderArn: pulumi.Output<string>;
  previewRoleArn: pulumi.Output<string>;
  deployRoleArns: Record<string, pulumi.Output<string>>;
}

/** IAM role name, ≤ 64 characters. */
function roleName(project: string, stack: string, purpose: string): string {
  return `${project}-${stack}-ci-${purpose}`.slice(0, 64);
}

/**
 * GitHub OIDC → IAM roles: `preview` trusted only for the repository's pull_request jobs,
 * `deploy-<env>` trusted only for jobs in that GitHub environment. Inline policies only; no
 * access keys. Role names are fixed so the workflows can be configured before the first run.
 */
export function createAwsCiRoles(s: ChildScope, args: AwsCiArgs): AwsCi {
  const oidcProviderArn = args.oidcProviderArn
    ? pulumi.output(args.oidcProviderArn)
    : new aws.iam.OpenIdConnectProvider(s.name("github-oidc"), { url: GITHUB_OIDC_URL, clientIdLists: [AWS_STS_AUDIENCE], tags: s.tags() }, s.opts()).arn;
  const partition = aws.getPartitionOutput({}, s.opts()).partition;
  const account = aws.getCallerIdentityOutput({}, s.opts()).accountId;
  const path = `/labfleet/${args.stack}/ci/`;

  const role = (purpose: string, subjects: string[], statements: (p: AwsPermissionScope) => object[]) => {
    const r = new aws.iam.Role(
      s.name(purpose),
      {
        name: roleName(args.project, args.stack, purpose),
        path,
        description: `GitHub Actions ${subjects[0]}`,
        maxSessionDuration: args.maxSessionSeconds,
        assumeRolePolicy: oidcProviderArn.apply((arn) => JSON.stringify(githubTrustPolicy(arn, subjects))),
        tags: s.tags({ "ci-subject": subjects[0]!.replace(/[^\w.:/=+\-@ ]/g, "_") }),
      },
      s.opts(),
    );
    new aws.iam.RolePolicy(
      s.name(`${purpose}-policy`),
      {
        role: r.id,
        policy: pulumi
          .all([partition, account])
          .apply(([p, a]) => JSON.stringify({ Version: "2012-10-17", Statement: statements({ ...args.scope, partition: p, account: a }) })),
      },
      s.opts(),
    );
    return r;
  };

  const preview = role("preview", pullRequestSubjects(args.github), previewStatements);
  const deployRoleArns: Record<string, pulumi.Output<string>> = {};
  for (const env of args.environments) {
    deployRoleArns[env] = role(`deploy-${env}`, environmentSubjects(args.github, env), deployStatements).arn;
  }
  return { oidcProviderArn, previewRoleArn: preview.arn, deployRoleArns };
}
