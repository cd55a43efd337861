/**
 * Every violation message says what is wrong and how to fix it, in one shape:
 * `<what>. Fix: <remediation>`. Messages never contain secret values.
 */
export function hint(problem: string, fix: string): string {
  const p = problem.trimEnd();
  return `${/[.!?]$/.test(p) ? p : `${p}.`} Fix: ${fix}`;
}

/** Short display name of a resource for messages: `type::name`. */
export function describe(r: { type: string; name: string }): string {
  return `${r.type}::${r.name}`;
}

/** Quote a value for a message, truncated, so a message stays readable. */
export function show(v: unknown, max = 120): string {
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The message for a literal setting that is unknown during preview (rules fail closed on it). */
export function unknownSetting(name: string, key: string): string {
  return hint(`${name} ${key} is unknown during preview, so it cannot be verified`, `set ${key} to a literal value`);
}

/**
 * Reports an advisory note from a mandatory rule (the object form of `reportViolation`): used for
 * values computed from other resources that are checked when `pulumi up` resolves them.
 */
export function reportAdvisory(report: (message: string, urn?: string) => void, message: string, urn?: string): void {
  (report as unknown as (v: object) => void)({ message, enforcementLevel: "advisory", ...(urn ? { urn } : {}) });
}
