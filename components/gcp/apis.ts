import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { LabComponent, type LabComponentArgs } from "../component.ts";

/** The Google APIs the console needs (it creates service accounts and project IAM bindings itself). */
export const CONSOLE_APIS = [
  "cloudresourcemanager.googleapis.com",
  "compute.googleapis.com",
  "iam.googleapis.com",
  "run.googleapis.com",
  "secretmanager.googleapis.com",
  "servicenetworking.googleapis.com",
  "sqladmin.googleapis.com",
] as const;

/** Identity-Aware Proxy, when the console authenticates at the load balancer. */
export const IAP_API = "iap.googleapis.com";

/** The Google APIs Workload Identity Federation needs (token exchange and impersonation). */
export const WIF_APIS = ["iam.googleapis.com", "iamcredentials.googleapis.com", "sts.googleapis.com", "cloudresourcemanager.googleapis.com"] as const;

export interface GcpProjectApisArgs extends LabComponentArgs {
  project: string;
  apis: readonly string[];
}

/**
 * The one home of API enablement for a project: every component in the project that needs an API
 * waits for this component's `gcp.projects.Service` of it (`dependsOn`), so several components
 * needing the same API neither race nor manage it twice. Never disabled by Pulumi.
 */
export class GcpProjectApis extends LabComponent {
  readonly project: string;
  private readonly services = new Map<string, gcp.projects.Service>();

  constructor(name: string, args: GcpProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "ProjectApis", name, args, opts);
    this.project = args.project;
    const provider = new gcp.Provider(this.childName("provider"), { project: args.project }, { parent: this });
    for (const api of [...new Set(args.apis)].sort()) {
      const service = new gcp.projects.Service(
        this.childName(api.split(".")[0]!),
        { project: args.project, service: api, disableOnDestroy: false, disableDependentServices: false },
        this.child({ provider }),
      );
      this.services.set(api, service);
    }
    this.registerOutputs({ apis: [...this.services.keys()] });
  }

  /** The enablement resources of `apis`; an API this component was not given is a program error. */
  require(apis: readonly string[]): gcp.projects.Service[] {
    return apis.map((api) => {
      const service = this.services.get(api);
      if (!service) throw new Error(`GcpProjectApis ${this.project}: ${api} is not enabled here (add it to the component's apis)`);
      return service;
    });
  }
}

/** A scope whose children all wait for `services`. */
export function afterApis<S extends { opts(extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions }>(s: S, services: pulumi.Resource[]): S {
  return { ...s, opts: (extra: pulumi.CustomResourceOptions = {}) => s.opts({ ...extra, dependsOn: [...services, ...asArray(extra.dependsOn)] }) };
}

function asArray(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (d === undefined) return [];
  return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}
