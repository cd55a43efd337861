import { at, isUnknown } from "./reveal.ts";

/**
 * Facts about resources that several rules share: type families, tags/labels, environment,
 * secret-bearing input fields, and the labfleet dynamic-resource `kind`.
 */

/** labfleet's command resource: a HUT slot action (`components/hut/hut-action.ts`), argv + stdin. */
export const HUT_ACTION_TYPE = "pulumi-nodejs:dynamic/hut:HutAction";

/**
 * Resources that run a command: HutAction, and `@pulumi/command` types (labfleet no longer
 * declares them, but the rules still judge them in plans of states or programs that do).
 */
export const COMMAND_TYPES = [HUT_ACTION_TYPE, "command:local:Command", "command:remote:Command"] as const;

export function isCommand(type: string): boolean {
  return (COMMAND_TYPES as readonly string[]).includes(type);
}

/**
 * The command line a command resource runs, for rules that read command text: `create` of a
 * `@pulumi/command` resource, HutAction's `argv` joined with spaces. Undefined when not known.
 */
export function commandLine(type: string, props: Record<string, unknown>): string | undefined {
  if (type === HUT_ACTION_TYPE) {
    const argv = props.argv;
    return Array.isArray(argv) && argv.every((a) => typeof a === "string") ? argv.join(" ") : undefined;
  }
  return isCommand(type) && typeof props.create === "string" ? props.create : undefined;
}

/** Dynamic-provider resources: `pulumi-nodejs:dynamic:Resource` or `pulumi-nodejs:dynamic/<module>:<Type>`. */
export function isDynamic(type: string): boolean {
  return type === "pulumi-nodejs:dynamic:Resource" || type.startsWith("pulumi-nodejs:dynamic/");
}

/**
 * What a labfleet dynamic resource is: `<module>:<Type>` from its type token
 * (`pulumi-nodejs:dynamic/gitlab:Runner` → `gitlab:Runner`), else its `kind` input.
 */
export function dynamicKind(type: string, props: Record<string, unknown>): string | undefined {
  if (!isDynamic(type)) return undefined;
  const m = /^pulumi-nodejs:dynamic\/([^:]+):(.+)$/.exec(type);
  if (m) return `${m[1]}:${m[2]}`;
  const k = props.kind;
  return typeof k === "string" ? k : undefined;
}

/** Resources whose inputs labfleet's own rules read (commands, dynamic resources, components). */
export function isLabfleetRuntime(type: string): boolean {
  return isCommand(type) || isDynamic(type) || type.startsWith("labfleet:");
}

/** GCP IAM member/binding/policy resources of any service (`gcp:<svc>/…IamMember:…IamMember` etc.). */
export function isGcpIamGrant(type: string): boolean {
  return type.startsWith("gcp:") && /(iam|IAM)(Member|Binding|Policy)$/i.test(type.split(":")[2] ?? "");
}

/** Tags (AWS) or labels (GCP; Cloud SQL keeps them under settings.userLabels). */
export function tagsOf(type: string, props: Record<string, unknown>): Record<string, unknown> | undefined {
  if (type.startsWith("gcp:")) {
    const l = props.labels ?? at(props, "settings", "userLabels");
    return l && typeof l === "object" && !isUnknown(l) ? (l as Record<string, unknown>) : undefined;
  }
  const t = props.tags;
  return t && typeof t === "object" && !isUnknown(t) ? (t as Record<string, unknown>) : undefined;
}

/** The resource's environment: its `environment` tag/label, else the configured environment. */
export function environmentOf(type: string, props: Record<string, unknown>, configured?: string): string | undefined {
  const env = tagsOf(type, props)?.environment;
  return typeof env === "string" ? env : configured;
}

/** Stack name from a URN: `urn:pulumi:<stack>::<project>::…`. */
export function stackOfUrn(urn: string): string {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m?.[1] ?? "<stack>";
}

/**
 * Input fields that carry secret material. CrossGuard unwraps secrets without marking them, so
 * the live pack knows secret fields only from this table (by type) and from key names; the offline
 * plan additionally knows the marked secret paths. Fingerprints exclude all of them.
 */
export const SECRET_FIELDS_BY_TYPE: Record<string, string[]> = {
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretString", "secretBinary", "secretStringWo"],
  "aws:ssm/parameter:Parameter": ["value", "valueWo"],
  "aws:rds/instance:Instance": ["password", "passwordWo"],
  "aws:rds/cluster:Cluster": ["masterPassword", "masterPasswordWo"],
  "aws:iam/userLoginProfile:UserLoginProfile": ["pgpKey"],
  "gcp:secretmanager/secretVersion:SecretVersion": ["secretData", "secretDataWo"],
  "gcp:sql/user:User": ["password", "passwordWo"],
  "pulumi-nodejs:dynamic/gitlab:CiVariable": ["value"],
};

/**
 * Inputs a provider's `check` stamps itself (not the program), left out of fingerprints: the
 * offline plan never runs `check`, and an approved `rotateAfterDays` already covers the
 * rotations it stamps (docs/design/wireguard.md, "Key rotation"; docs/policies.md).
 */
export const PROVIDER_STAMPED_FIELDS_BY_TYPE: Record<string, string[]> = {
  "pulumi-nodejs:dynamic/wireguard:WireGuardPeer": ["keyCreatedAt", "keyRotation"],
};

/** Key names (any case/separators) that hold secret material: `sshPrivateKey`, `HA_TOKEN`, `masterPassword`, `secretString`, … */
const SECRET_KEY_NAME = /(password|passwd|passphrase|privatekey(pem)?|token|apikey|clientsecret|credentials?|keymaterial|secret(string|binary|data)?)(wo)?$/;

export function isSecretKeyName(key: string): boolean {
  const k = key.replace(/[-_.\s]/g, "").toLowerCase();
  // a bare `secret` is a reference to a secret (e.g. Secret Manager's version → secret), not its value
  if (k === "secret" || k === "secretwo") return false;
  return SECRET_KEY_NAME.test(k);
}

/** The resource's environment when it counts as production (its tag/label, else the configured one); else undefined. */
export function productionEnvironmentOf(
  type: string,
  props: Record<string, unknown>,
  cfg: { environment?: string | undefined; productionEnvironments: string[] },
): string | undefined {
  const env = environmentOf(type, props, cfg.environment);
  return env !== undefined && cfg.productionEnvironments.includes(env) ? env : undefined;
}
