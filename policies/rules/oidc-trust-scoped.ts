import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { conditionValues, federatedPrincipals, GITHUB_OIDC_HOST, parsePolicyDocument, type Statement } from "../lib/iam.ts";
import { describe, hint, show } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * Federated trust is scoped to this lab's repositories: an AWS role trusting GitHub's OIDC provider
 * must pin `token.actions.githubusercontent.com:sub` (StringEquals/StringLike, no wildcard in
 * owner/repo) and `:aud` = sts.amazonaws.com; a GCP Workload Identity provider must carry an
 * `attributeCondition` comparing `assertion.repository` (or `attribute.repository`) to a literal.
 * With `allowedRepositories` set, only those `owner/repo` values are accepted. Trust in another
 * OIDC issuer (a GitLab instance's CI `id_tokens`, the hardware lane's artifact readers) must pin
 * that issuer's `:sub` (StringEquals, no wildcard) and `:aud` on AWS, and compare
 * `assertion.project_path` in a GCP provider's attributeCondition.
 *
 * Unknowns: the trust document embeds the OIDC provider's ARN, so it is unknown in a first
 * preview; the known statements are checked and a wholly unknown document gets an advisory note
 * and is checked when `pulumi up` resolves it. An unknown attributeCondition fails closed (it is
 * a literal in every sane program).
 */
const config = ruleConfig(
  "oidc-trust-scoped",
  z.object({
    allowedRepositories: z.array(z.string()).default([]).describe("owner/repo values a trust may name (empty: any single repository)"),
    allowRefWildcards: z.boolean().default(false).describe("allow `*` after `repo:owner/repo:` in the sub condition"),
  }),
);
type Cfg = ReturnType<typeof config.read>;

const SUB_FIX = `add Condition StringEquals {"${GITHUB_OIDC_HOST}:sub": "repo:<owner>/<repo>:environment:<env>", "${GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com"}`;

function checkSub(values: string[] | undefined, label: string, report: ReportViolation, cfg: Cfg) {
  if (!values || values.length === 0) {
    report(hint(`${label} trusts GitHub OIDC without a ${GITHUB_OIDC_HOST}:sub condition: any repository could assume it`, SUB_FIX));
    return;
  }
  for (const v of values) {
    const m = /^repo:([^/:]+)\/([^:]+):(.+)$/.exec(v);
    if (!m || /[*?]/.test(m[1] ?? "") || /[*?]/.test(m[2] ?? "")) {
      report(hint(`${label} sub condition ${show(v)} is not scoped to one repository`, SUB_FIX));
      continue;
    }
    // The immutable subject form names owner and repository with their ids (`owner@1/repo@2`).
    const repo = `${m[1]!.replace(/@\d+$/, "")}/${m[2]!.replace(/@\d+$/, "")}`;
    if (cfg.allowedRepositories.length > 0 && !cfg.allowedRepositories.includes(repo)) {
      report(hint(`${label} trusts repository ${repo}, which is not in allowedRepositories`, `trust only ${cfg.allowedRepositories.join(", ")}`));
    }
    if (!cfg.allowRefWildcards && /[*?]/.test(m[3] ?? "")) {
      report(hint(`${label} sub condition ${show(v)} uses a wildcard ref/environment`, "name the environment or branch explicitly"));
    }
  }
}

const ISSUER_FIX = 'add Condition StringEquals {"<issuer host>:sub": "project_path:<group>/<project>:ref_type:branch:ref:<branch>", "<issuer host>:aud": "<audience>"}';

/**
 * The issuer hosts of a web-identity statement that trusts OIDC providers other than GitHub's:
 * from its federated principals (`…:oidc-provider/<host>`), or, when they do not name one (unknown
 * during preview), from its `<host>:sub`/`<host>:aud` condition keys. Undefined for GitHub trust.
 */
function otherIssuers(st: Statement): string[] | undefined {
  if (!st.actions.some((a) => /^sts:AssumeRoleWithWebIdentity$/i.test(a))) return undefined;
  const fed = federatedPrincipals(st.principal).filter((p): p is string => typeof p === "string");
  const keys = Object.values(st.condition).flatMap((block) => Object.keys(block));
  if ([...fed, ...keys].some((x) => x.includes(GITHUB_OIDC_HOST))) return undefined;
  const fromArns = fed.flatMap((p) => /:oidc-provider\/(.+)$/.exec(p)?.[1] ?? []);
  const hosts = fromArns.length > 0 ? fromArns : keys.filter((k) => /:(sub|aud)$/.test(k)).map((k) => k.replace(/:(sub|aud)$/, ""));
  return hosts.length > 0 ? [...new Set(hosts)] : undefined;
}

function checkOtherIssuer(st: Statement, hosts: string[], label: string, report: ReportViolation) {
  for (const host of hosts) {
    const sub = conditionValues(st, `${host}:sub`, ["StringEquals", "ForAnyValue:StringEquals"]);
    if (!sub || sub.length === 0) report(hint(`${label} trusts OIDC issuer ${host} without a StringEquals ${host}:sub condition: any of its identities could assume it`, ISSUER_FIX));
    else for (const v of sub.filter((x) => /[*?]/.test(x))) report(hint(`${label} ${host}:sub condition ${show(v)} uses a wildcard`, ISSUER_FIX));
    const aud = conditionValues(st, `${host}:aud`, ["StringEquals"]);
    if (!aud || aud.length === 0) report(hint(`${label} does not pin ${host}:aud`, ISSUER_FIX));
  }
}

function isGithubTrust(st: Statement): boolean {
  return (
    st.actions.some((a) => /^sts:AssumeRoleWithWebIdentity$/i.test(a)) ||
    federatedPrincipals(st.principal).some((p) => typeof p === "string" && p.includes(GITHUB_OIDC_HOST))
  );
}

function checkRole(props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) {
  const cfg = config.read(args);
  const doc = parsePolicyDocument(props.assumeRolePolicy);
  if (!doc.ok) {
    if (doc.reason === "unknown") {
      (report as unknown as (v: object) => void)({
        message: `${describe(args)} trust policy: ${doc.detail}; it is checked when \`pulumi up\` resolves it.`,
        enforcementLevel: "advisory",
      });
    }
    return; // invalid documents are reported by iam-least-privilege
  }
  for (const st of doc.statements) {
    if (st.effect !== "Allow") continue;
    const label = `${describe(args)} trust statement ${st.sid ? JSON.stringify(st.sid) : `#${st.index}`}`;
    const issuers = otherIssuers(st);
    if (issuers) {
      checkOtherIssuer(st, issuers, label, report);
      continue;
    }
    if (!isGithubTrust(st)) continue;
    const ops = ["StringEquals", "StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike"];
    const sub = conditionValues(st, `${GITHUB_OIDC_HOST}:sub`, ops);
    if (st.partial && sub === undefined) {
      report(hint(`${label}: its condition is unknown during preview, so the sub scope cannot be shown`, SUB_FIX));
      continue;
    }
    checkSub(sub, label, report, cfg);
    const aud = conditionValues(st, `${GITHUB_OIDC_HOST}:aud`, ["StringEquals", "StringLike"]);
    if (!aud || aud.length === 0 || aud.some((a) => a !== "sts.amazonaws.com")) {
      report(hint(`${label} does not pin ${GITHUB_OIDC_HOST}:aud to sts.amazonaws.com`, SUB_FIX));
    }
  }
}

const GCP_FIX = 'set attributeCondition to `assertion.repository == "<owner>/<repo>"` (and map attribute.repository)';

function checkWifProvider(props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) {
  if (props.oidc === undefined && props.aws === undefined && props.saml === undefined && props.x509 === undefined) return;
  const cfg = config.read(args);
  const cond = props.attributeCondition;
  const issuer = at(props, "oidc", "issuerUri");
  if (typeof issuer === "string" && issuer.replace(/\/+$/, "") !== `https://${GITHUB_OIDC_HOST}`) return checkOtherWifIssuer(cond, issuer, args, report);
  if (isUnknown(cond)) {
    report(hint(`${describe(args)} attributeCondition is unknown during preview, so the repository scope cannot be shown`, GCP_FIX));
    return;
  }
  if (typeof cond !== "string" || cond.trim() === "") {
    report(hint(`${describe(args)} has no attributeCondition: any identity from the issuer may federate`, GCP_FIX));
    return;
  }
  const repos = [...cond.matchAll(/(?:assertion|attribute)\.repository\s*==\s*(['"])([^'"]+)\1/g)].map((m) => m[2] ?? "");
  if (repos.length === 0) {
    report(hint(`${describe(args)} attributeCondition ${show(cond)} does not compare the repository`, GCP_FIX));
    return;
  }
  for (const repo of repos) {
    if (cfg.allowedRepositories.length > 0 && !cfg.allowedRepositories.includes(repo)) {
      report(hint(`${describe(args)} trusts repository ${repo}, which is not in allowedRepositories`, `trust only ${cfg.allowedRepositories.join(", ")}`));
    }
  }
  if (/\|\|/.test(cond) && !/&&/.test(cond)) {
    report(hint(`${describe(args)} attributeCondition ${show(cond)} ORs the repository check with other clauses`, GCP_FIX));
  }
}

const GITLAB_FIX = 'set attributeCondition to `assertion.project_path == "<group>/<project>"` (or `in [...]`) and map attribute.project_path';

/** A provider for another issuer (a GitLab instance): HTTPS, and the condition pins the project path. */
function checkOtherWifIssuer(cond: unknown, issuer: string, args: ResourceValidationArgs, report: ReportViolation) {
  if (!issuer.startsWith("https://")) report(hint(`${describe(args)} OIDC issuer ${show(issuer)} is not HTTPS`, "use the issuer's https:// URL"));
  if (isUnknown(cond)) return report(hint(`${describe(args)} attributeCondition is unknown during preview, so the project scope cannot be shown`, GITLAB_FIX));
  if (typeof cond !== "string" || !/assertion\.project_path\s*(==|in)\s*/.test(cond)) {
    return report(hint(`${describe(args)} attributeCondition ${show(cond ?? "")} does not pin assertion.project_path: any project on ${issuer} could federate`, GITLAB_FIX));
  }
  if (/\|\|/.test(cond)) report(hint(`${describe(args)} attributeCondition ${show(cond)} ORs the project check with other clauses`, GITLAB_FIX));
}

export const oidcTrustScoped: ResourceValidationPolicy = {
  name: "oidc-trust-scoped",
  description: "Federated CI trust is scoped to one repository (AWS sub/aud conditions, GCP attributeCondition on the repository; other issuers: their project).",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: config.configSchema,
  remediationSteps: "Pin the GitHub OIDC subject to repo:<owner>/<repo>:environment:<env>; in GCP, set attributeCondition on assertion.repository.",
  validateResource: [
    ...onTypes([aws.iam.Role], checkRole),
    ...onTypes([gcp.iam.WorkloadIdentityPoolProvider], checkWifProvider),
  ],
};
