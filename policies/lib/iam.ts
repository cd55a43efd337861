import { hint, unknownSetting } from "./message.ts";
import { asArray, at, isUnknown, UNKNOWN, type Unknown } from "./reveal.ts";

/**
 * AWS IAM policy documents as rules see them: the SDK accepts a JSON string or an object
 * (`aws.iam.PolicyDocument`); both become a list of normalized statements.
 */
export interface Statement {
  index: number;
  sid?: string;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  principal: unknown;
  notPrincipal: unknown;
  condition: Record<string, Record<string, string[]>>;
  /** true when some part of the statement was unknown at preview */
  partial: boolean;
}

export type ParsedDocument = { ok: true; statements: Statement[] } | { ok: false; reason: "unknown" | "invalid"; detail: string };

function strings(v: unknown, partial: { v: boolean }): string[] {
  if (isUnknown(v)) {
    partial.v = true;
    return [];
  }
  const arr = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const x of arr) {
    if (isUnknown(x)) partial.v = true;
    else if (typeof x === "string") out.push(x);
  }
  return out;
}

function conditions(v: unknown, partial: { v: boolean }): Statement["condition"] {
  const out: Statement["condition"] = {};
  if (isUnknown(v)) {
    partial.v = true;
    return out;
  }
  if (!v || typeof v !== "object") return out;
  for (const [op, block] of Object.entries(v as Record<string, unknown>)) {
    if (isUnknown(block)) {
      partial.v = true;
      continue;
    }
    if (!block || typeof block !== "object") continue;
    out[op] = {};
    for (const [key, val] of Object.entries(block as Record<string, unknown>)) {
      out[op][key.toLowerCase()] = strings(val, partial);
    }
  }
  return out;
}

/**
 * `aws.iam.getPolicyDocument` arguments (and the offline mock, which echoes them) use the
 * Terraform shape: `principals: [{type, identifiers}]`, `conditions: [{test, variable, values}]`.
 */
function principalMap(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  const out: Record<string, unknown[]> = {};
  for (const p of v) {
    const type = (p as { type?: unknown })?.type;
    const ids = (p as { identifiers?: unknown })?.identifiers;
    if (typeof type !== "string") continue;
    out[type] = [...(out[type] ?? []), ...(Array.isArray(ids) ? ids : [ids])];
  }
  return out;
}

function conditionMap(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of v) {
    const { test, variable, values } = (c ?? {}) as { test?: unknown; variable?: unknown; values?: unknown };
    if (typeof test !== "string" || typeof variable !== "string") continue;
    out[test] = { ...(out[test] ?? {}), [variable]: values };
  }
  return out;
}

/** Parses a policy document given as JSON text, an object, or UNKNOWN. */
export function parsePolicyDocument(doc: unknown): ParsedDocument {
  if (isUnknown(doc)) return { ok: false, reason: "unknown", detail: "the policy document is unknown during preview" };
  let value: unknown = doc;
  if (typeof doc === "string") {
    try {
      value = JSON.parse(doc);
    } catch (err) {
      return { ok: false, reason: "invalid", detail: `the policy document is not valid JSON (${(err as Error).message})` };
    }
  }
  if (!value || typeof value !== "object") return { ok: false, reason: "invalid", detail: "the policy document is not an object" };
  const raw = (value as Record<string, unknown>).Statement ?? (value as Record<string, unknown>).statements;
  if (isUnknown(raw)) return { ok: false, reason: "unknown", detail: "the policy's statements are unknown during preview" };
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements: Statement[] = [];
  list.forEach((s, index) => {
    const partial = { v: false };
    if (isUnknown(s)) {
      statements.push({
        index,
        effect: "Allow",
        actions: [],
        notActions: [],
        resources: [],
        notResources: [],
        principal: undefined,
        notPrincipal: undefined,
        condition: {},
        partial: true,
      });
      return;
    }
    const st = (s ?? {}) as Record<string, unknown>;
    const pick = (a: string, b: string) => (st[a] !== undefined ? st[a] : st[b]);
    const effectRaw = pick("Effect", "effect");
    if (isUnknown(effectRaw)) partial.v = true;
    statements.push({
      index,
      sid: typeof pick("Sid", "sid") === "string" ? (pick("Sid", "sid") as string) : undefined,
      effect: typeof effectRaw === "string" ? effectRaw.charAt(0).toUpperCase() + effectRaw.slice(1).toLowerCase() : "Allow",
      actions: strings(pick("Action", "actions"), partial),
      notActions: strings(pick("NotAction", "notActions"), partial),
      resources: strings(pick("Resource", "resources"), partial),
      notResources: strings(pick("NotResource", "notResources"), partial),
      principal: principalMap(pick("Principal", "principals")),
      notPrincipal: principalMap(pick("NotPrincipal", "notPrincipals")),
      condition: conditions(conditionMap(pick("Condition", "conditions")), partial),
      partial: partial.v,
    });
  });
  return { ok: true, statements };
}

/** `*`, `svc:*` — an action wildcard over a whole service (or everything). */
export function isServiceWildcard(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

/** Does the statement's principal allow everyone (`*` or `{AWS: "*"}`)? */
export function principalIsEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (principal && typeof principal === "object" && !isUnknown(principal)) {
    for (const v of Object.values(principal as Record<string, unknown>)) {
      const list = Array.isArray(v) ? v : [v];
      if (list.includes("*")) return true;
    }
  }
  return false;
}

/** Federated principals of a trust statement (strings only; unknown parts become UNKNOWN). */
export function federatedPrincipals(principal: unknown): (string | Unknown)[] {
  if (isUnknown(principal)) return [UNKNOWN];
  if (!principal || typeof principal !== "object") return [];
  const fed = (principal as Record<string, unknown>).Federated;
  if (isUnknown(fed)) return [UNKNOWN];
  const list = Array.isArray(fed) ? fed : fed === undefined ? [] : [fed];
  return list.map((x) => (isUnknown(x) ? UNKNOWN : String(x)));
}

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** Values of a condition key under any of the given operators (keys compared case-insensitively). */
export function conditionValues(st: Statement, key: string, ops: string[]): string[] | undefined {
  let found: string[] | undefined;
  for (const [op, block] of Object.entries(st.condition)) {
    if (!ops.some((o) => o.toLowerCase() === op.toLowerCase())) continue;
    const vals = block[key.toLowerCase()];
    if (vals) found = [...(found ?? []), ...vals];
  }
  return found;
}

/** GCP basic roles and admin roles that no binding may grant. */
export function isForbiddenGcpRole(role: string, extra: string[]): boolean {
  if (extra.includes(role)) return true;
  if (role === "roles/owner" || role === "roles/editor") return true;
  const last = role.split("/").pop() ?? role;
  return /admin$/i.test(last) || /\.admin$/i.test(role);
}

/** One role → members binding of a GCP IAM grant (members may contain UNKNOWN entries). */
export interface GcpBinding {
  role: unknown;
  members: unknown[];
}

export type GcpBindings = { ok: true; bindings: GcpBinding[] } | { ok: false; reason: "unknown" | "invalid" };

/**
 * The bindings a GCP IAM resource grants: an `…IamMember`/`…IamBinding` is one binding (`role`,
 * `member`/`members`), an `…IamPolicy` every binding of its `policyData` (JSON text or object).
 */
export function gcpBindings(props: Record<string, unknown>): GcpBindings {
  if (props.policyData === undefined) return { ok: true, bindings: [{ role: props.role, members: [...asArray(props.member), ...asArray(props.members)] }] };
  const data = props.policyData;
  if (isUnknown(data)) return { ok: false, reason: "unknown" };
  let doc: unknown = data;
  if (typeof data === "string") {
    try {
      doc = JSON.parse(data);
    } catch {
      return { ok: false, reason: "invalid" };
    }
  }
  return { ok: true, bindings: asArray(at(doc, "bindings")).map((b) => ({ role: at(b, "role"), members: asArray(at(b, "members")) })) };
}

/** The message for a GCP IAM policy whose bindings cannot be read (rules fail closed on it). */
export function unreadableBindings(name: string, reason: "unknown" | "invalid"): string {
  return reason === "unknown" ? unknownSetting(name, "policyData") : hint(`${name} policyData is not valid JSON`, "build it with gcp.organizations.getIAMPolicy");
}
