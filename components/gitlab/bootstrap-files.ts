import * as pulumi from "@pulumi/pulumi";
import type { Role } from "./roles.ts";
import { delegatingProvider } from "../dynamic.ts";
import type { RenderedFile } from "./templates.ts";

export interface GitlabBootstrapFilesArgs {
  gitlabUrl: pulumi.Input<string>;
  gitlabToken: pulumi.Input<string>;
  role: pulumi.Input<Role>;
  projectId: pulumi.Input<number>;
  projectPath: pulumi.Input<string>;
  branch: pulumi.Input<string>;
  files: pulumi.Input<Record<string, RenderedFile>>;
  commitMessage: pulumi.Input<string>;
  updateMessage: pulumi.Input<string>;
  updateVia: pulumi.Input<"push" | "merge_request">;
}

/** Governance files committed once, updated by new commits (`pulumi-nodejs:dynamic/gitlab:BootstrapFiles`). */
export class GitlabBootstrapFiles extends pulumi.dynamic.Resource {
  declare readonly commitSha: pulumi.Output<string>;
  declare readonly fileHashes: pulumi.Output<Record<string, string>>;
  declare readonly missing: pulumi.Output<string[]>;

  constructor(name: string, args: GitlabBootstrapFilesArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      delegatingProvider("./components/gitlab/bootstrap-files-impl.ts"),
      name,
      { ...args, commitSha: undefined, fileHashes: undefined, missing: undefined },
      { ...opts, additionalSecretOutputs: ["gitlabToken"] },
      "gitlab",
      "BootstrapFiles",
    );
  }
}
