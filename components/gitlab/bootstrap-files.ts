import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./bootstrap-files-impl.ts";

export type GitlabBootstrapFilesArgs = ArgsOf<typeof impl.BootstrapInputs>;

/** GitlabBootstrapFiles's kind; the logic is in `bootstrap-files-impl.ts`. */
export const gitlabBootstrapFilesKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/bootstrap-files-impl.ts",
  module: "gitlab",
  type: "BootstrapFiles",
  outputs: ["commitSha", "fileHashes", "missing"],
  secretOutputs: ["gitlabToken"],
});

/** Governance files committed once, updated by new commits (`pulumi-nodejs:dynamic/gitlab:BootstrapFiles`). */
export class GitlabBootstrapFiles extends DynamicResource {
  declare readonly commitSha: pulumi.Output<string>;
  declare readonly fileHashes: pulumi.Output<Record<string, string>>;
  declare readonly missing: pulumi.Output<string[]>;

  constructor(name: string, args: GitlabBootstrapFilesArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabBootstrapFilesKind, name, args, opts);
  }
}

