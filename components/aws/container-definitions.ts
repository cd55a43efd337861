/**
 * ECS container definitions in the form ECS stores and returns them, so the JSON Pulumi sends
 * equals what the provider reads back and repeated runs do not register a new task definition
 * revision (pulumi-aws #4576, terraform-provider-aws #39533).
 * Design notes: docs/design/cloud.md ("components/aws/container-definitions.ts").
 */
export interface KeyValue {
  name: string;
  value?: string | null;
}

export interface SecretRef {
  name: string;
  valueFrom: string;
}

export interface PortMapping {
  containerPort: number;
  hostPort?: number;
  protocol?: "tcp" | "udp";
  [key: string]: unknown;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  cpu?: number;
  portMappings?: PortMapping[];
  environment?: KeyValue[];
  secrets?: SecretRef[];
  [key: string]: unknown;
}

const LIST_DEFAULTS = ["environment", "mountPoints", "portMappings", "volumesFrom", "systemControls"] as const;

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Removes null/undefined members and sorts object keys, recursively. */
function sortedClean(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(sortedClean);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== null && v !== undefined) out[key] = sortedClean(v);
    }
    return out;
  }
  return value;
}

export function canonicalContainer(def: ContainerDefinition): Record<string, unknown> {
  const c: Record<string, unknown> = { ...def };
  c.essential = def.essential ?? true;
  c.cpu = def.cpu ?? 0;
  for (const key of LIST_DEFAULTS) if (c[key] === undefined || c[key] === null) c[key] = [];
  c.environment = (def.environment ?? []).filter((e) => e.value !== null && e.value !== undefined).map((e) => ({ name: e.name, value: e.value })).sort(byName);
  if (def.secrets && def.secrets.length > 0) c.secrets = [...def.secrets].sort(byName);
  else delete c.secrets;
  c.portMappings = (def.portMappings ?? []).map((p) => ({ ...p, hostPort: p.hostPort ?? p.containerPort, protocol: p.protocol ?? "tcp" }));
  return sortedClean(c) as Record<string, unknown>;
}

/** The `containerDefinitions` JSON text for `aws.ecs.TaskDefinition`. */
export function canonicalContainerDefinitions(defs: ContainerDefinition[]): string {
  const names = new Set<string>();
  for (const d of defs) {
    if (names.has(d.name)) throw new Error(`duplicate container name ${JSON.stringify(d.name)}`);
    names.add(d.name);
  }
  return JSON.stringify([...defs].sort(byName).map(canonicalContainer));
}
