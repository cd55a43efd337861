import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { gcpBindings, isForbiddenGcpRole, isServiceWildcard, parsePolicyDocument, principalIsEveryone } from "../lib/iam.ts";
import { describe, hint, show } from "../lib/message.ts";
import { asArray, at, isUnknown } from "../lib/reveal.ts";
import { isGcpIamGrant } from "../lib/resource.ts";
import { onAll } from "../lib/rule.ts";

/**
 * Least privilege for every identity policy the program can declare: inline role policies,
 * `RolePolicy`/`UserPolicy`/`GroupPolicy`, `Policy` documents, managed-policy attachments, and
 * GCP IAM member/binding/policy resources of any service. No `*` / `service:*` actions, no `*`
 * resources (except for the few actions that only accept `*`), no `NotAction`/`NotResource`
 * allows, no admin managed policies, no owner/editor/admin GCP roles, no public members (except
 * the roles listed as public-safe), no trust policy open to everyone without a condition.
 *
 * Unknowns: roles and ARNs of managed policies are literals and fail closed when unknown; policy
 * documents usually embed ARNs of resources created in the same run and are unknown in a
 * first preview: the known statements are checked, a wholly unknown document gets an advisory
 * note and is checked when `pulumi up` re-runs the pack with resolved inputs.
 */
const config = ruleConfig(
  "iam-least-privilege",
  z.object({
    forbiddenManagedPolicies: z
      .array(z.string())
      .default(["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"])
      .describe("AWS managed policy names that may never be attached"),
    resourceWildcardActions: z
      .array(z.string())
      .default([
        "*:Describe*",
        "*:List*",
        "sts:GetCallerIdentity",
        "ecr:GetAuthorizationToken",
        "cloudwatch:PutMetricData",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "ecs:RegisterTaskDefinition",
        "ecs:DeregisterTaskDefinition",
      ])
      .describe("actions that AWS does not scope to resources and may use Resource \"*\" (globs allowed)"),
    neverOnAllResources: z
      .array(z.string())
      .default(["s3:ListBucket", "s3:ListBucketVersions", "s3:ListMultipartUploadParts", "lambda:ListFunctions", "ec2:DescribeInstanceAttribute"])
      .describe("actions that expose data when allowed on every resource, even if they match resourceWildcardActions"),
    forbiddenGcpRoles: z.array(z.string()).default([]).describe("extra GCP roles to forbid besides owner/editor/*admin"),
    publicMemberRoles: z
      .array(z.string())
      .default(["roles/run.invoker"])
      .describe("GCP roles that may be granted to allUsers/allAuthenticatedUsers"),
  }),
);

type Cfg = ReturnType<typeof config.read>;

function glob(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
  return re.test(s);
}

const FIX_ACTIONS = "list the specific actions the workload needs (e.g. \"s3:GetObject\")";
const FIX_RESOURCES = "scope Resource to the ARNs the workload uses";

function checkDocument(doc: unknown, where: string, args: ResourceValidationArgs, report: ReportViolation, cfg: Cfg, trust = false) {
  const parsed = parsePolicyDocument(doc);
  if (!parsed.ok) {
    if (parsed.reason === "unknown") {
      (report as unknown as (v: object) => void)({
        message: `${describe(args)} ${where}: ${parsed.detail}; it is checked when \`pulumi up\` resolves it.`,
        enforcementLevel: "advisory",
      });
    } else {
      report(hint(`${describe(args)} ${where}: ${parsed.detail}`, "declare the document with aws.iam.getPolicyDocumentOutput or JSON.stringify"));
    }
    return;
  }
  for (const st of parsed.statements) {
    if (st.effect !== "Allow") continue;
    const label = `${describe(args)} ${where} statement ${st.sid ? JSON.stringify(st.sid) : `#${st.index}`}`;
    if (trust) {
      if (principalIsEveryone(st.principal) && Object.keys(st.condition).length === 0) {
        report(hint(`${label} lets any principal assume the role`, "name the trusted principal and add conditions"));
      }
      continue;
    }
    const wild = st.actions.filter(isServiceWildcard);
    if (wild.length > 0) report(hint(`${label} allows wildcard actions ${show(wild)}`, FIX_ACTIONS));
    if (st.notActions.length > 0) report(hint(`${label} allows everything except ${show(st.notActions)} (NotAction)`, FIX_ACTIONS));
    if (st.notResources.length > 0) report(hint(`${label} allows all resources except ${show(st.notResources)} (NotResource)`, FIX_RESOURCES));
    if (st.resources.includes("*")) {
      const onlyStar =
        st.actions.length > 0 &&
        st.actions.every((a) => cfg.resourceWildcardActions.some((p) => glob(p, a)) && !cfg.neverOnAllResources.some((p) => glob(p, a)));
      if (!onlyStar) report(hint(`${label} allows Resource "*" for ${show(st.actions)}`, FIX_RESOURCES));
    }
  }
}

function managedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

function checkManagedArn(arn: unknown, where: string, args: ResourceValidationArgs, report: ReportViolation, cfg: Cfg) {
  if (isUnknown(arn) || typeof arn !== "string") return; // a customer-managed Policy of this stack: checked where declared
  const name = managedPolicyName(arn);
  if (name && cfg.forbiddenManagedPolicies.includes(name)) {
    report(hint(`${describe(args)} ${where} attaches the AWS managed policy ${name}`, "attach a customer-managed policy with only the needed actions"));
  }
}

function checkGcpBinding(role: unknown, members: unknown[], where: string, args: ResourceValidationArgs, report: ReportViolation, cfg: Cfg) {
  if (isUnknown(role) || typeof role !== "string") {
    report(hint(`${describe(args)} ${where}: the role is unknown during preview, so it cannot be shown to be least-privilege`, "use a literal predefined or custom role"));
    return;
  }
  if (isForbiddenGcpRole(role, cfg.forbiddenGcpRoles)) {
    report(hint(`${describe(args)} ${where} grants ${role}`, "grant a narrow predefined role or a custom role instead of owner/editor/admin"));
  }
  for (const m of members) {
    if ((m === "allUsers" || m === "allAuthenticatedUsers") && !cfg.publicMemberRoles.includes(role)) {
      report(hint(`${describe(args)} ${where} grants ${role} to ${m}`, "grant the role to specific principals"));
    }
  }
}

const POLICY_PROPERTY_TYPES = new Set([
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
  "aws:iam/policy:Policy",
]);

const ATTACHMENT_TYPES = new Set([
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
]);

export const iamLeastPrivilege: ResourceValidationPolicy = {
  name: "iam-least-privilege",
  description: "IAM grants are least-privilege: no wildcard actions or resources, no admin/owner/editor roles, no public grants.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: config.configSchema,
  remediationSteps: "Replace wildcards with the specific actions and resource ARNs; use narrow roles.",
  validateResource: onAll((props, args, report) => {
    const t = args.type;
    if (t === "aws:iam/role:Role") {
      const cfg = config.read(args);
      checkDocument(props.assumeRolePolicy, "trust policy", args, report, cfg, true);
      const inline = props.inlinePolicies;
      if (isUnknown(inline)) checkDocument(inline, "inline policies", args, report, cfg);
      else {
        asArray(inline).forEach((p, i) => {
          checkDocument(at(p, "policy"), `inline policy ${show(at(p, "name") ?? i)}`, args, report, cfg);
        });
      }
      if (!isUnknown(props.managedPolicyArns)) {
        for (const arn of asArray(props.managedPolicyArns)) checkManagedArn(arn, "managedPolicyArns", args, report, cfg);
      }
    } else if (POLICY_PROPERTY_TYPES.has(t)) {
      checkDocument(props.policy, "policy", args, report, config.read(args));
    } else if (ATTACHMENT_TYPES.has(t)) {
      checkManagedArn(props.policyArn, "policyArn", args, report, config.read(args));
    } else if (t === "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive") {
      const cfg = config.read(args);
      if (!isUnknown(props.policyArns)) for (const arn of asArray(props.policyArns)) checkManagedArn(arn, "policyArns", args, report, cfg);
    } else if (isGcpIamGrant(t)) {
      const cfg = config.read(args);
      const grant = gcpBindings(props);
      if (!grant.ok) {
        if (grant.reason === "unknown") report(hint(`${describe(args)} policyData is unknown during preview, so its bindings cannot be checked`, "build policyData from literal roles (gcp.organizations.getIAMPolicy)"));
        else report(hint(`${describe(args)} policyData is not valid JSON`, "build it with gcp.organizations.getIAMPolicy"));
        return;
      }
      const policy = props.policyData !== undefined;
      grant.bindings.forEach((b, i) => {
        checkGcpBinding(b.role, b.members, policy ? `binding #${i}` : "grant", args, report, cfg);
      });
    }
  }),
};
