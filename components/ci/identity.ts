import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import type { CiSettings } from "./settings.ts";
import type { GcpProjectApis } from "../gcp/apis.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { type AwsCi, createAwsCiRoles } from "./aws-oidc.ts";
import { type GcpCi, createGcpCi } from "./gcp-wif.ts";

export interface CiIdentityArgs extends LabComponentArgs {
  settings: CiSettings;
  project: string;
  /** The AWS console this stack deploys (its region and zone scope the deploy permissions). */
  awsConsole?: { region: string; hostedZoneId?: string };
  /** The API enablement of `ci.gcp.project` (one home per project); required with ci.gcp. */
  gcpApis?: GcpProjectApis;
  /** The GCP console this stack deploys: whether it disables Cloud Run invoker IAM (access opted out). */
  gcpConsole?: { invokerIamDisabled: boolean };
}

/** What the PR and deploy workflows consume. */
export interface CiIdentityOutputs {
  aws?: { oidcProviderArn: pulumi.Output<string>; previewRoleArn: pulumi.Output<string>; deployRoleArns: Record<string, pulumi.Output<string>> };
  gcp?: {
    previewProvider: pulumi.Output<string>;
    previewServiceAccount: pulumi.Output<string>;
    deployProviders: Record<string, pulumi.Output<string>>;
    deployServiceAccounts: Record<string, pulumi.Output<string>>;
  };
}

/**
 * Keyless CI identity: GitHub OIDC tokens are exchanged for short-lived AWS role sessions
 * and GCP service-account tokens. Preview identities trust pull_request jobs only; deploy
 * identities trust jobs of one GitHub environment only. No access keys, no SA keys.
 */
export class CiIdentity extends LabComponent {
  readonly aws?: AwsCi;
  readonly gcp?: GcpCi;

  constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ci", "CiIdentity", name, args, opts);
    const c = args.settings;
    const stack = args.tags.stack;
    const github = c.github;

    if (c.aws.enabled) {
      // IAM is global: the default AWS provider (stack's aws:region) is used.
      this.aws = createAwsCiRoles(this.scope(), {
        github,
        environments: c.environments,
        stack,
        project: args.project,
        oidcProviderArn: c.aws.oidcProviderArn,
        maxSessionSeconds: c.aws.maxSessionSeconds,
        scope: {
          stack,
          region: args.awsConsole?.region,
          hostedZoneId: args.awsConsole?.hostedZoneId,
          stateBucket: c.aws.stateBucket,
          secretsKmsKeyArn: c.aws.secretsKmsKeyArn,
          project: args.project,
          previewSecrets: c.previewSecrets,
        },
      });
    }
    if (c.gcp.enabled) {
      if (!c.gcp.project) throw new Error("labfleet:ci.gcp.project: required when ci.gcp.enabled is true");
      if (!args.gcpApis) throw new Error(`CiIdentity ${name}: gcpApis (the API enablement of ${c.gcp.project}) is required with ci.gcp`);
      const provider = new gcp.Provider(this.childName("gcp-provider"), { project: c.gcp.project }, { parent: this });
      this.gcp = createGcpCi(this.scope(provider), {
        github,
        environments: c.environments,
        project: c.gcp.project,
        poolPrefix: c.gcp.poolPrefix,
        stateBucket: c.gcp.stateBucket,
        secretsKmsKey: c.gcp.secretsKmsKey,
        previewSecrets: c.previewSecrets,
        apis: args.gcpApis,
        consoleInvokerIamDisabled: args.gcpConsole?.invokerIamDisabled ?? false,
      });
    }
    this.registerOutputs(this.outputs());
  }

  /** Deploy service-account emails (to let them act as the GCP console's runtime account). */
  gcpDeployers(): pulumi.Output<string>[] {
    return this.gcp ? Object.values(this.gcp.deploy).map((d) => d.serviceAccount) : [];
  }

  outputs(): CiIdentityOutputs {
    const out: CiIdentityOutputs = {};
    if (this.aws) out.aws = { ...this.aws };
    if (this.gcp) {
      const deploy = Object.entries(this.gcp.deploy);
      out.gcp = {
        previewProvider: this.gcp.preview.provider,
        previewServiceAccount: this.gcp.preview.serviceAccount,
        deployProviders: Object.fromEntries(deploy.map(([env, d]) => [env, d.provider])),
        deployServiceAccounts: Object.fromEntries(deploy.map(([env, d]) => [env, d.serviceAccount])),
      };
    }
    return out;
  }

}
