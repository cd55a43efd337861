import * as pulumi from "@pulumi/pulumi";
import { type TagContext, gcpLabels, mergeTags } from "./tags.ts";

export type { TagContext } from "./tags.ts";

/**
 * What a builder function needs from the component that owns it: child names (`${name}-x`),
 * child options (parented to the component, with its provider) and tags/labels. Components hand
 * one to the builder files in their folder (`this.scope(provider)`), so every child still goes
 * through `childName`/`child`/`tags`/`labels`.
 */
export interface ChildScope {
  name(suffix: string): string;
  opts(extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
  tags(own?: Record<string, string>): Record<string, string>;
  labels(own?: Record<string, string>): Record<string, string>;
}

/** Arguments every labfleet component takes besides its own. */
export interface LabComponentArgs {
  tags: TagContext;
}

/**
 * Base of every `labfleet:<module>:<Type>` component: children are parented to it and named
 * `${name}-x`; tags/labels come from `mergeTags` only. Subclasses call `registerOutputs` last.
 */
export abstract class LabComponent extends pulumi.ComponentResource {
  protected readonly baseName: string;
  private readonly tagContext: TagContext;
  private readonly componentKind: string;

  constructor(module: string, type: string, name: string, args: LabComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`labfleet:${module}:${type}`, name, {}, opts);
    this.baseName = name;
    this.tagContext = args.tags;
    this.componentKind = `${module}/${type}`;
  }

  /** `${name}-suffix`, the name of a child resource. */
  protected childName(suffix: string): string {
    return `${this.baseName}-${suffix}`;
  }

  /** Options for a child: parented to this component, plus any extra options. */
  protected child(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return { ...extra, parent: this };
  }

  /** A ChildScope for builder files; children get `provider` when one is given. */
  protected scope(provider?: pulumi.ProviderResource): ChildScope {
    return {
      name: (suffix) => this.childName(suffix),
      opts: (extra = {}) => this.child(provider ? { provider, ...extra } : extra),
      tags: (own) => this.tags(own),
      labels: (own) => this.labels(own),
    };
  }

  protected tags(own: Record<string, string> = {}): Record<string, string> {
    return mergeTags(this.tagContext, this.componentKind, own);
  }

  protected labels(own: Record<string, string> = {}): Record<string, string> {
    return gcpLabels(this.tags(own));
  }
}
