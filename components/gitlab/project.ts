import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./project-impl.ts";

export type GitlabProjectArgs = ArgsOf<typeof impl.ProjectInputs>;

/** GitlabProject's kind; the logic is in `project-impl.ts`. */
export const gitlabProjectKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/project-impl.ts",
  module: "gitlab",
  type: "Project",
  outputs: ["projectId", "pathWithNamespace", "httpUrlToRepo", "webUrl"],
  secretOutputs: ["gitlabToken"],
});

/** A role repository (`pulumi-nodejs:dynamic/gitlab:Project`); logic in project-impl.ts. */
export class GitlabProject extends DynamicResource {
  declare readonly projectId: pulumi.Output<number>;
  declare readonly pathWithNamespace: pulumi.Output<string>;
  declare readonly httpUrlToRepo: pulumi.Output<string>;
  declare readonly webUrl: pulumi.Output<string>;
  declare readonly visibility: pulumi.Output<string>;
  declare readonly defaultBranch: pulumi.Output<string>;

  constructor(name: string, args: GitlabProjectArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabProjectKind, name, args, opts);
  }
}

