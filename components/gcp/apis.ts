import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";

/** The Google APIs the console needs. */
export const CONSOLE_APIS = [
  "compute.googleapis.com",
  "run.googleapis.com",
  "sqladmin.googleapis.com",
  "servicenetworking.googleapis.com",
  "secretmanager.googleapis.com",
] as const;

/** The Google APIs Workload Identity Federation needs (token exchange and impersonation). */
export const WIF_APIS = ["iam.googleapis.com", "iamcredentials.googleapis.com", "sts.googleapis.com", "cloudresourcemanager.googleapis.com"] as const;

/**
 * Enables `apis` in `project` (never disabled by Pulumi) and returns a scope whose children
 * wait for them.
 */
export function withApis(s: ChildScope, project: string, apis: readonly string[]): ChildScope {
  const services = apis.map(
    (api) =>
      new gcp.projects.Service(s.name(`api-${api.split(".")[0]}`), { project, service: api, disableOnDestroy: false, disableDependentServices: false }, s.opts()),
  );
  return { ...s, opts: (extra = {}) => s.opts({ ...extra, dependsOn: [...services, ...asArray(extra.dependsOn)] }) };
}

function asArray(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (d === undefined) return [];
  return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}
