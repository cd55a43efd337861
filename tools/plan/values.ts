import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc.js";

/**
 * Values as the engine sees them: secrets are wrapped in the secret signature, unknowns are a
 * sentinel string (both the SDK's own constants). One walker turns them into plain values,
 * redacted values and secret paths.
 */
export const SIG_KEY = specialSigKey;
export const SECRET_SIG = specialSecretSig;

export const REDACTED = "[secret]";
export const UNKNOWN_TEXT = "[unknown]";
export const DYNAMIC_PROVIDER_TEXT = "[dynamic provider]";

function isSecretWrapper(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The SDK's own `Unknown` value, which the mock path passes through inside lists. */
function isSdkUnknown(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as { __pulumiUnknown?: unknown }).__pulumiUnknown === true;
}

export interface Unwrapped {
  /** Secrets unwrapped (what CrossGuard sees); unknowns kept as the sentinel. */
  plain: unknown;
  /** Secrets replaced by "[secret]", unknowns by "[unknown]": safe to print. */
  redacted: unknown;
  /** Paths (`a.b[0]`) whose value is secret. */
  secretPaths: string[];
}

function pathJoin(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base === "" ? key : `${base}.${key}`;
}

export function unwrap(value: unknown, path = "", secretPaths: string[] = [], inSecret = false): Unwrapped {
  if (isSecretWrapper(value)) {
    if (!inSecret) secretPaths.push(path);
    const inner = unwrap(value.value, path, secretPaths, true);
    return { plain: inner.plain, redacted: REDACTED, secretPaths };
  }
  if (isSdkUnknown(value)) return { plain: unknownValue, redacted: inSecret ? REDACTED : UNKNOWN_TEXT, secretPaths };
  if (value === unknownValue) return { plain: unknownValue, redacted: inSecret ? REDACTED : UNKNOWN_TEXT, secretPaths };
  if (Array.isArray(value)) {
    const parts = value.map((v, i) => unwrap(v, pathJoin(path, i), secretPaths, inSecret));
    return { plain: parts.map((p) => p.plain), redacted: inSecret ? REDACTED : parts.map((p) => p.redacted), secretPaths };
  }
  if (value && typeof value === "object") {
    const plain: Record<string, unknown> = {};
    const redacted: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = unwrap(v, pathJoin(path, k), secretPaths, inSecret);
      plain[k] = p.plain;
      redacted[k] = path === "" && k === "__provider" ? DYNAMIC_PROVIDER_TEXT : p.redacted;
    }
    return { plain, redacted: inSecret ? REDACTED : redacted, secretPaths };
  }
  return { plain: value, redacted: inSecret ? REDACTED : value, secretPaths };
}
