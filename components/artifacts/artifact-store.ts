import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { createAwsArtifactBucket } from "../aws/artifact-bucket.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import type { GcpProjectApis } from "../gcp/apis.ts";
import { createGcpArtifactBucket } from "../gcp/artifact-bucket.ts";
import { type ArtifactsSettings, artifactStoreLocation } from "./settings.ts";

export interface ArtifactStoreArgs extends LabComponentArgs {
  settings: ArtifactsSettings;
  project: string;
  /** provider aws: the account's GitHub OIDC provider (CiIdentity's). */
  githubOidcProviderArn?: pulumi.Input<string>;
  /** provider gcp: the API enablement of `artifacts.gcp.project`. */
  gcpApis?: GcpProjectApis;
  /** The stack's deploy identities (CiIdentity's, per GitHub environment), granted read: the stack's flash by commit fetches builds under them. */
  deployers?: { awsRoleArns?: Record<string, pulumi.Input<string>>; gcpServiceAccounts?: Record<string, pulumi.Input<string>> };
}

/** The stack output `artifacts`: where the store is and which keyless identities write and read it. */
export interface ArtifactStoreOutputs {
  url: string;
  provider: "aws" | "gcp";
  bucket: pulumi.Output<string>;
  /** AWS: role ARNs to assume with a web identity; GCP: WIF provider + service account to impersonate. */
  upload: { roleArn: pulumi.Output<string> } | { workloadIdentityProvider: pulumi.Output<string>; serviceAccount: pulumi.Output<string> };
  read: { roleArn: pulumi.Output<string> } | { workloadIdentityProvider: pulumi.Output<string>; serviceAccount: pulumi.Output<string> };
}

/**
 * `labfleet:artifacts:ArtifactStore`: the firmware artifact store — builds by commit SHA at
 * `<url>/<sha>/<chip>/<file>` beside `<url>/<sha>/manifest.json` — on S3 or GCS, written only by
 * the upstream lane's upload job and read by the hardware lane's jobs (docs/design/artifacts.md).
 */
export class ArtifactStore extends LabComponent {
  private readonly out: ArtifactStoreOutputs;

  constructor(name: string, args: ArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("artifacts", "ArtifactStore", name, args, opts);
    const c = args.settings;
    const url = artifactStoreLocation(c).url;
    if (c.provider === "aws") {
      if (!c.aws) throw new Error("labfleet:artifacts.aws: required with provider aws");
      if (args.githubOidcProviderArn === undefined) throw new Error(`ArtifactStore ${name}: the GitHub OIDC provider (ci.aws) is required with provider aws`);
      const provider = new aws.Provider(this.childName("aws-provider"), { region: c.aws.region as aws.Region }, { parent: this });
      const b = createAwsArtifactBucket(this.scope(provider), { settings: { ...c, aws: c.aws }, githubOidcProviderArn: args.githubOidcProviderArn, project: args.project, stack: args.tags.stack, deployRoleArns: args.deployers?.awsRoleArns });
      this.out = { url, provider: "aws", bucket: b.bucket, upload: { roleArn: b.uploadRoleArn }, read: { roleArn: b.readRoleArn } };
    } else {
      if (!c.gcp) throw new Error("labfleet:artifacts.gcp: required with provider gcp");
      if (!args.gcpApis) throw new Error(`ArtifactStore ${name}: gcpApis (the API enablement of ${c.gcp.project}) is required with provider gcp`);
      const provider = new gcp.Provider(this.childName("gcp-provider"), { project: c.gcp.project }, { parent: this });
      const b = createGcpArtifactBucket(this.scope(provider), { settings: { ...c, gcp: c.gcp }, apis: args.gcpApis, deployServiceAccounts: args.deployers?.gcpServiceAccounts });
      this.out = {
        url,
        provider: "gcp",
        bucket: b.bucket,
        upload: { workloadIdentityProvider: b.uploadProvider, serviceAccount: b.uploadServiceAccount },
        read: { workloadIdentityProvider: b.readProvider, serviceAccount: b.readServiceAccount },
      };
    }
    this.registerOutputs(this.out);
  }

  outputs(): ArtifactStoreOutputs {
    return this.out;
  }
}
