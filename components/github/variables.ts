import type * as pulumi from "@pulumi/pulumi";
import type { CiIdentityOutputs } from "../ci/identity.ts";

/**
 * The variables the workflows read (`vars.<NAME>` in .github/workflows/), per GitHub environment,
 * taken from CiIdentity's outputs so nothing is copied by hand. Names are the workflows' contract.
 */
export const DEPLOY_VARIABLES = {
  awsRoleArn: "AWS_DEPLOY_ROLE_ARN",
  awsRegion: "AWS_REGION",
  gcpProvider: "GCP_DEPLOY_WIF_PROVIDER",
  gcpServiceAccount: "GCP_DEPLOY_SERVICE_ACCOUNT",
  stateBucket: "PULUMI_STATE_BUCKET",
} as const;

export type EnvironmentVariables = Record<string, Record<string, pulumi.Input<string>>>;

/** environment → variable name → value, for every environment CiIdentity has a deploy identity for. */
export function deployVariables(ci: CiIdentityOutputs, awsRegion: string | undefined, stateBucket?: string): EnvironmentVariables {
  const envs = new Set([...Object.keys(ci.aws?.deployRoleArns ?? {}), ...Object.keys(ci.gcp?.deployProviders ?? {})]);
  const out: EnvironmentVariables = {};
  for (const env of [...envs].sort()) {
    const vars: Record<string, pulumi.Input<string>> = {};
    const role = ci.aws?.deployRoleArns[env];
    if (role) {
      vars[DEPLOY_VARIABLES.awsRoleArn] = role;
      if (awsRegion) vars[DEPLOY_VARIABLES.awsRegion] = awsRegion;
      // the self-managed S3 state backend the deploy role reads and writes (ci.aws.stateBucket)
      if (stateBucket) vars[DEPLOY_VARIABLES.stateBucket] = stateBucket;
    }
    const provider = ci.gcp?.deployProviders[env];
    const account = ci.gcp?.deployServiceAccounts[env];
    if (provider && account) {
      vars[DEPLOY_VARIABLES.gcpProvider] = provider;
      vars[DEPLOY_VARIABLES.gcpServiceAccount] = account;
    }
    out[env] = vars;
  }
  return out;
}
