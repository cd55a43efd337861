import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { ruleConfig } from "./config.ts";
import { fingerprintOf, REF_HASH } from "./fingerprint.ts";
import { describe, hint } from "./message.ts";
import { revealProps } from "./reveal.ts";
import { stackOfUrn } from "./resource.ts";

/**
 * The approval gate.
 * Design notes: docs/design/policies.md ("policies/lib/approval.ts").
 */

export const Approval = z.strictObject({
  urn: z.string().min(1).describe("resource URN"),
  type: z.string().optional().describe("resource type (informational)"),
  fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/).describe("sha256 of the normalized, non-secret definition"),
  properties: z.record(z.string(), z.string().regex(/^sha256:[0-9a-f]{64}$/)).optional().describe("per-property hashes"),
  derived: z.array(z.string()).optional().describe("properties derived from other resources' outputs (references masked)"),
});
export type Approval = z.infer<typeof Approval>;

export const APPROVE_COMMAND = (stack: string) => `npm run approve -- --stack ${stack}`;

export interface ApprovalRuleSpec {
  name: string;
  description: string;
  noun: string;
  /** does this rule gate the resource? (props are revealed) */
  gates(type: string, props: Record<string, unknown>): boolean;
}

/** rule name → what it gates; `npm run approve` fingerprints exactly these resources */
export const APPROVAL_GATES = new Map<string, ApprovalRuleSpec["gates"]>();

export function approvalRule(spec: ApprovalRuleSpec): ResourceValidationPolicy {
  APPROVAL_GATES.set(spec.name, spec.gates);
  const cfg = ruleConfig(
    spec.name,
    z.object({
      approvals: z.array(Approval).default([]).describe(`approved ${spec.noun} fingerprints (written by npm run approve)`),
    }),
  );
  const validate = (args: ResourceValidationArgs, report: ReportViolation) => {
    const props = revealProps(args.props);
    if (!spec.gates(args.type, props)) return;
    const { approvals } = cfg.read(args);
    const stack = stackOfUrn(args.urn);
    const fix = `review the change, run \`${APPROVE_COMMAND(stack)}\` and commit policies/approvals/${stack}.json for CODEOWNERS review`;
    const mine = approvals.filter((a) => a.urn === args.urn);
    const what = `${spec.noun} ${describe(args)} (${args.urn})`;
    if (mine.length === 0) {
      report(hint(`new ${what} has no approval`, fix));
      return;
    }
    const prints = mine.map((a) => ({ a, fp: fingerprintOf({ urn: args.urn, type: args.type, inputs: props, derived: a.derived ?? [] }) }));
    if (prints.some(({ a, fp }) => a.fingerprint === fp.fingerprint)) return;
    // Property by property: an unknown (preview) property is deferred to `pulumi up`; a property
    // approved as a whole reference (REF_HASH: it was unknown offline) accepts what the program
    // computes.
    const differences = prints.map(({ a, fp }) => {
      const approved = a.properties ?? {};
      const keys = new Set([...Object.keys(approved), ...Object.keys(fp.properties)]);
      const changed = [...keys].filter(
        (k) => !fp.unknownProperties.includes(k) && approved[k] !== fp.properties[k] && !(approved[k] === REF_HASH && k in fp.properties),
      );
      const deferred = fp.unknownProperties.filter((k) => k in approved);
      return { changed: a.properties ? changed : ["(definition)"], deferred };
    });
    const ok = differences.find((d) => d.changed.length === 0);
    if (ok) {
      if (ok.deferred.length > 0) {
        (report as unknown as (v: object) => void)({
          message: `${spec.description}\n${what}: known properties match the approval; ${ok.deferred.join(", ")} unknown during preview, checked when \`pulumi up\` resolves them.`,
          enforcementLevel: "advisory",
        });
      }
      return;
    }
    const changed = new Set(differences.flatMap((d) => d.changed));
    const detail = changed.size > 0 ? `; changed: ${[...changed].sort().join(", ")}` : "";
    report(hint(`${what} changed since its approval${detail}`, fix));
  };
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: cfg.configSchema,
    remediationSteps: `Review the change, run \`npm run approve -- --stack <stack>\`, commit policies/approvals/<stack>.json; CODEOWNERS approve it.`,
    validateResource: validate,
  };
}
