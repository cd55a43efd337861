import type { Resource } from "@pulumi/pulumi";
import { type ReportViolation, type ResourceValidation, type ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { revealProps } from "./reveal.ts";

/** Any SDK resource class (used only for its type token). */
export type ResourceClass = { new (name: string, args: never, ...rest: never[]): Resource };

export type RevealedValidation = (props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) => void;

/**
 * One `validateResourceOfType` per SDK class (so CrossGuard's type filtering applies), each
 * handing the rule its props revealed into plain data with explicit unknowns.
 */
export function onTypes(classes: ResourceClass[], fn: RevealedValidation): ResourceValidation[] {
  return classes.map((c) =>
    validateResourceOfType(c as unknown as { new (name: string, args: unknown): Resource }, (props, args, report) =>
      fn(revealProps(props), args, report),
    ),
  );
}

/** A validation for every resource, props revealed. */
export function onAll(fn: RevealedValidation): ResourceValidation {
  return (args, report) => fn(revealProps(args.props), args, report);
}
