import * as pulumi from "@pulumi/pulumi";
import type { Role } from "./roles.ts";
import { delegatingProvider } from "../dynamic.ts";

export interface GitlabProjectArgs {
  gitlabUrl: pulumi.Input<string>;
  /** Token that manages the repositories (secret). */
  gitlabToken: pulumi.Input<string>;
  role: pulumi.Input<Role>;
  namespace: pulumi.Input<string>;
  path: pulumi.Input<string>;
  description: pulumi.Input<string>;
  visibility: pulumi.Input<"private" | "internal" | "public">;
  defaultBranch: pulumi.Input<string>;
  /** Adopt an existing project, never create or delete it. */
  existing: pulumi.Input<boolean>;
  /** Owning stack, recorded in the description; adopting another stack's project fails. */
  stack: pulumi.Input<string>;
}

/** A role repository (`pulumi-nodejs:dynamic/gitlab:Project`); logic in project-impl.ts. */
export class GitlabProject extends pulumi.dynamic.Resource {
  declare readonly projectId: pulumi.Output<number>;
  declare readonly pathWithNamespace: pulumi.Output<string>;
  declare readonly httpUrlToRepo: pulumi.Output<string>;
  declare readonly webUrl: pulumi.Output<string>;
  declare readonly visibility: pulumi.Output<string>;
  declare readonly defaultBranch: pulumi.Output<string>;

  constructor(name: string, args: GitlabProjectArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      delegatingProvider("./components/gitlab/project-impl.ts"),
      name,
      { ...args, projectId: undefined, pathWithNamespace: undefined, httpUrlToRepo: undefined, webUrl: undefined },
      { ...opts, additionalSecretOutputs: ["gitlabToken"] },
      "gitlab",
      "Project",
    );
  }
}
