import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, hint } from "../lib/message.ts";
import { onAll } from "../lib/rule.ts";
import { walk } from "../lib/walk.ts";

/**
 * No long-lived cloud credentials anywhere in the stack: no IAM access keys, service-account keys,
 * HMAC or API keys, no providers configured with static keys, no key material or key variables
 * passed to workloads. CI uses GitHub OIDC → AWS roles / GCP Workload Identity.
 * Unknowns: type checks need no values; value scans check the known values (an unknown value is
 * another resource's output, which this rule checks where it is declared).
 */
const KEY_TYPES: Record<string, string> = {
  "aws:iam/accessKey:AccessKey": "an IAM user access key",
  "gcp:serviceaccount/key:Key": "a service-account key",
  "gcp:storage/hmacKey:HmacKey": "a Cloud Storage HMAC key",
  "gcp:projects/apiKey:ApiKey": "a Google API key",
};

const PROVIDER_KEYS: Record<string, string[]> = {
  "pulumi:providers:aws": ["accessKey", "secretKey", "token"],
  "pulumi:providers:gcp": ["credentials", "accessToken"],
};

const KEY_VARIABLES = new Set([
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "GOOGLE_CREDENTIALS",
  "GOOGLE_CLOUD_KEYFILE_JSON",
  "CLOUDSDK_AUTH_ACCESS_TOKEN",
]);

const AWS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;
const OIDC_FIX = "use GitHub OIDC with an IAM role (AWS) or Workload Identity Federation (GCP) instead of stored keys";

export const noStaticCloudKeys: ResourceValidationPolicy = {
  name: "no-static-cloud-keys",
  description: "No static cloud credentials: access keys, service-account keys and key material are forbidden.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Remove the key; grant the workload a role (AWS) or a Workload Identity binding (GCP).",
  validateResource: onAll((props, args, report) => {
    const kind = KEY_TYPES[args.type];
    if (kind) report(hint(`${describe(args)} creates ${kind}, a long-lived credential`, OIDC_FIX));
    for (const key of PROVIDER_KEYS[args.type] ?? []) {
      if (props[key] !== undefined && props[key] !== null && props[key] !== "") {
        report(hint(`provider ${args.name} is configured with a static credential (${key})`, `remove ${key}; ${OIDC_FIX}`));
      }
    }
    const seen = new Set<string>();
    const once = (path: string, msg: string) => {
      if (!seen.has(path)) {
        seen.add(path);
        report(msg);
      }
    };
    for (const v of walk(props)) {
      if (v.value && typeof v.value === "object" && !Array.isArray(v.value)) {
        const o = v.value as Record<string, unknown>;
        for (const k of Object.keys(o)) {
          if (KEY_VARIABLES.has(k)) once(`${v.path}.${k}`, hint(`${describe(args)} passes ${k} at ${v.path || "(root)"}.${k}`, OIDC_FIX));
        }
        if (typeof o.name === "string" && KEY_VARIABLES.has(o.name) && "value" in o) {
          once(`${v.path}.name`, hint(`${describe(args)} sets the variable ${o.name} at ${v.path}`, OIDC_FIX));
        }
        if (o.type === "service_account" && typeof o.private_key === "string") {
          once(v.path, hint(`${describe(args)} contains a GCP service-account key file at ${v.path}`, `remove the key and delete it in IAM; ${OIDC_FIX}`));
        }
      } else if (typeof v.value === "string") {
        if (AWS_KEY_ID.test(v.value)) {
          once(v.path, hint(`${describe(args)} contains an AWS access key id at ${v.path}`, `remove the key and rotate it; ${OIDC_FIX}`));
        }
      }
    }
  }),
};
