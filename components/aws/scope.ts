import type * as pulumi from "@pulumi/pulumi";

/**
 * What a builder function needs from the component that owns it: child names (`${name}-x`),
 * child options (parented to the component, with its provider) and tags/labels. Components hand
 * one of these to the builders in their folder so that every child still goes through
 * `childName`/`child`/`tags`/`labels` of its `LabComponent`. Shared by the aws, gcp and ci builders.
 */
export interface ChildScope {
  name(suffix: string): string;
  opts(extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
  tags(own?: Record<string, string>): Record<string, string>;
  labels(own?: Record<string, string>): Record<string, string>;
}
