import * as gcp from "@pulumi/gcp";
import type { ChildScope } from "../aws/scope.ts";

/** The Google APIs the console needs. Enabled once, never disabled by Pulumi. */
export const CONSOLE_APIS = [
  "compute.googleapis.com",
  "run.googleapis.com",
  "sqladmin.googleapis.com",
  "servicenetworking.googleapis.com",
  "secretmanager.googleapis.com",
] as const;

export function enableApis(s: ChildScope, project: string, apis: readonly string[]): gcp.projects.Service[] {
  return apis.map(
    (api) =>
      new gcp.projects.Service(s.name(`api-${api.split(".")[0]}`), { project, service: api, disableOnDestroy: false, disableDependentServices: false }, s.opts()),
  );
}
