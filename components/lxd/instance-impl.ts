import { isDeepStrictEqual } from "node:util";
import { formatPath } from "../../hardware/schema/key-path.ts";
import { LxdInstance, LxdProfile, STATUS } from "./api.ts";
import { LxdClient, LxdError } from "./client.ts";
import {
  type ImageSource,
  InstanceInputs,
  type InstanceSpec,
  SPEC_KEYS,
  isLxdOwnedKey,
  isOpaqueKey,
  isReplaceOnlyKey,
  waitsForAgent,
} from "./instance-spec.ts";
import { type CloudInitResult, ReadinessError, firstIpv4, readState, waitReady } from "./readiness.ts";
import { checkInputs } from "../dynamic-inputs.ts";
import { remoteIdentity } from "./remote.ts";

/**
 * The `LxdInstance` dynamic provider's logic: plain async functions the provider delegates to
 * (and the tests drive directly). The instance's id is its name; the remote travels in the state.
 */

export interface InstanceOutputs extends InstanceSpec {
  /** LXD status as last seen (`Running`, `Stopped`, …). */
  status: string;
  ipv4: string | undefined;
  cloudInit: CloudInitResult;
  /** Fingerprint of the image the instance was created from (`volatile.base_image`). */
  baseImage: string | undefined;
  /** `volatile.uuid`: changes when the instance is replaced (dependents key on it). */
  uuid: string | undefined;
  /** Differences between the declared spec and the live instance found by the last `read`. */
  drift: string[];
}

type Props = Record<string, unknown>;

const instancePath = (name: string) => `/1.0/instances/${encodeURIComponent(name)}`;

// ---------------------------------------------------------------------------------------------
// check / diff

export async function check(_olds: Props, news: Props) {
  return checkInputs(InstanceInputs, news);
}

export async function diff(_id: string, olds: Props, news: Props) {
  const o = specOf(olds, false);
  const n = specOf(news, false);
  const replaces: string[] = [];
  if (o.name !== n.name) replaces.push("name");
  if (o.type !== n.type) replaces.push("type");
  if (!isDeepStrictEqual(imageKey(o.image), imageKey(n.image))) replaces.push("image");
  if (remoteKey(o) !== remoteKey(n)) replaces.push("remote");
  if ((o.rootDisk?.pool ?? null) !== (n.rootDisk?.pool ?? null)) replaces.push("rootDisk");
  if (replaceOnlyChanges(o.config, n.config).length > 0) replaces.push("config");

  const status = (olds as Partial<InstanceOutputs>).status;
  const changed = (SPEC_KEYS as readonly string[]).some((k) => !isDeepStrictEqual(norm(o[k as keyof InstanceSpec]), norm(n[k as keyof InstanceSpec])));
  const stopped = typeof status === "string" && status !== "Running";
  return { changes: replaces.length > 0 || changed || stopped, replaces, deleteBeforeReplace: true };
}

/** Replace-only config keys whose value differs (added, removed or changed). */
export function replaceOnlyChanges(a: Record<string, string>, b: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => isReplaceOnlyKey(k) && a[k] !== b[k]).sort();
}

// ---------------------------------------------------------------------------------------------
// create / read / update / delete

export async function create(inputs: Props) {
  const spec = specOf(inputs, true);
  const client = clientFor(spec);
  const where = `instance "${spec.name}" on ${client.where}`;
  const body = { name: spec.name, type: spec.type, source: imageSource(spec.image), ...(await desiredBody(client, spec)) };
  const exists = (detail: string) =>
    new Error(`cannot create ${where}: an instance with this name already exists and is not managed by this stack (delete it, or pick another name)${detail}`);
  if (await client.find(instancePath(spec.name), LxdInstance)) throw exists("");
  try {
    await client.operate("POST", "/1.0/instances", spec.operationTimeoutSeconds, { body });
  } catch (err) {
    // Created by someone else meanwhile: not ours to clean up.
    if (err instanceof LxdError && (err.status === 409 || /already exists/i.test(err.message))) throw exists(` — ${err.message}`);
    // Nothing may be left behind: remove whatever the failed operation created.
    const left = await stopAndDelete(client, spec.name, 0, spec.operationTimeoutSeconds).then(
      (r) => (r === "deleted" ? " (the partly created instance was deleted)" : ""),
      (e: Error) => ` (removing the partly created instance failed: ${e.message})`,
    );
    const hint =
      // LXD answers a missing local image with 404 at once; Incus 6.0 starts the operation and
      // fails it with "Image not provided for instance creation".
      err instanceof LxdError && ((err.status === 404 && /image/i.test(err.message)) || /image not provided/i.test(err.message))
        ? `image ${describeImage(spec.image)} not found${spec.image.server ? "" : " (no image server given, so it must be on the LXD host)"}: `
        : "";
    throw new Error(`cannot create ${where}: ${hint}${(err as Error).message}${left}`);
  }
  try {
    await client.operate("PUT", `${instancePath(spec.name)}/state`, spec.operationTimeoutSeconds, { body: { action: "start" } });
    const ready = await waitReady(client, spec.name, readinessPlan(spec));
    const inst = (await client.get(instancePath(spec.name), LxdInstance)).value;
    return { id: spec.name, outs: outputs(spec, inst, ready.state.status, ready.ipv4, ready.cloudInit, []) };
  } catch (err) {
    // create is transactional: an instance that did not become ready is removed.
    const left = await stopAndDelete(client, spec.name, 0, spec.operationTimeoutSeconds).catch((e: Error) => `not removed: ${e.message}`);
    const suffix = left === "not found" || left === "deleted" ? "; the instance was stopped and deleted" : `; the instance was ${left}`;
    if (err instanceof ReadinessError) throw new ReadinessError(err.stage, err.timedOut, `${err.message}${suffix}`);
    throw new Error(`cannot start ${where}: ${(err as Error).message}${suffix}`);
  }
}

export async function read(id: string, props?: Props) {
  if (!props?.remote) {
    throw new Error(`LxdInstance ${id}: read needs the remote in the resource state (importing by id alone is not supported)`);
  }
  const spec = specOf(props, false);
  const client = clientFor(spec);
  const found = await client.find(instancePath(id), LxdInstance);
  if (!found) return {};
  const state = await readState(client, id);
  const live = observed(found.value, spec);
  const drift = driftOf(spec, live, state.status);
  const inputs: InstanceSpec = { ...spec, ...live };
  const prev = props as Partial<InstanceOutputs>;
  const outs: InstanceOutputs = {
    ...inputs,
    status: state.status,
    ipv4: firstIpv4(state),
    cloudInit: prev.cloudInit ?? "skipped",
    baseImage: found.value.config["volatile.base_image"],
    uuid: found.value.config["volatile.uuid"],
    drift,
  };
  return { id, props: outs as unknown as Props, inputs: inputs as unknown as Props };
}

export async function update(id: string, olds: Props, news: Props) {
  const spec = specOf(news, true);
  const client = clientFor(spec);
  const path = instancePath(id);
  const where = `instance "${id}" on ${client.where}`;
  const desired = await desiredBody(client, spec);
  let inst: LxdInstance | undefined;
  for (let attempt = 1; ; attempt++) {
    const cur = await client.get(path, LxdInstance);
    inst = cur.value;
    if (isDeepStrictEqual(norm(managed(inst)), norm(desired))) break;
    const body = {
      ...desired,
      config: { ...lxdOwned(inst.config), ...desired.config },
      architecture: inst.architecture,
      ephemeral: inst.ephemeral,
      stateful: inst.stateful,
    };
    try {
      await client.operate("PUT", path, spec.operationTimeoutSeconds, { body, ifMatch: cur.etag });
      inst = (await client.get(path, LxdInstance)).value;
      break;
    } catch (err) {
      // 412: the instance changed between our GET and PUT; read it again (bounded).
      if (err instanceof LxdError && err.status === 412 && attempt < 3) continue;
      throw new Error(`cannot update ${where}: ${(err as Error).message}`);
    }
  }
  let state = await readState(client, id);
  let cloudInit = (olds as Partial<InstanceOutputs>).cloudInit ?? "skipped";
  let ipv4 = firstIpv4(state);
  if (state.status_code !== STATUS.running) {
    try {
      await client.operate("PUT", `${path}/state`, spec.operationTimeoutSeconds, { body: { action: "start" } });
      const ready = await waitReady(client, id, readinessPlan(spec));
      ({ state, ipv4, cloudInit } = ready);
    } catch (err) {
      const now = await readState(client, id).then((s) => s.status, () => "unknown");
      const msg = `${(err as Error).message}; the instance is ${now} (its configuration is updated)`;
      if (err instanceof ReadinessError) throw new ReadinessError(err.stage, err.timedOut, msg);
      throw new Error(`cannot start ${where}: ${msg}`);
    }
  }
  return { outs: outputs(spec, inst, state.status, ipv4, cloudInit, []) as unknown as Props };
}

export async function remove(id: string, props: Props) {
  const spec = specOf(props, false);
  const client = clientFor(spec);
  try {
    await stopAndDelete(client, id, spec.stopTimeoutSeconds, spec.operationTimeoutSeconds);
  } catch (err) {
    throw new Error(`cannot delete instance "${id}" on ${client.where}: ${(err as Error).message}`);
  }
}
export { remove as delete };

/**
 * Stops (gracefully for `stopTimeoutSeconds`, then forced) and deletes an instance.
 * Idempotent: a missing instance is success. Answers what it found.
 */
export async function stopAndDelete(client: LxdClient, name: string, stopTimeoutSeconds: number, opTimeoutSeconds: number): Promise<"deleted" | "not found"> {
  const path = instancePath(name);
  const found = await client.find(path, LxdInstance);
  if (!found) return "not found";
  if (found.value.status_code !== STATUS.stopped) {
    const stop = (force: boolean) =>
      client.operate("PUT", `${path}/state`, opTimeoutSeconds, { body: force ? { action: "stop", force: true } : { action: "stop", timeout: stopTimeoutSeconds } });
    let stopped = false;
    if (stopTimeoutSeconds > 0) stopped = await stop(false).then(() => true, () => false);
    if (!stopped) {
      await stop(true).catch(async (err) => {
        // "already stopped" or gone meanwhile is fine; anything else is not.
        const now = await client.find(path, LxdInstance);
        if (now && now.value.status_code !== STATUS.stopped) throw err;
      });
    }
  }
  try {
    await client.operate("DELETE", path, opTimeoutSeconds);
  } catch (err) {
    if (!(err instanceof LxdError && err.notFound)) throw err;
  }
  return "deleted";
}

// ---------------------------------------------------------------------------------------------
// helpers

export function clientFor(spec: Pick<InstanceSpec, "remote" | "clientKey">): LxdClient {
  return new LxdClient({ remote: spec.remote, clientKey: spec.clientKey });
}

/** The spec part of inputs or outputs; `strict` parses in full, otherwise unknowns are tolerated. */
function specOf(props: Props, strict: boolean): InstanceSpec {
  const picked: Props = {};
  for (const k of [...SPEC_KEYS, "limits"]) if (props[k] !== undefined) picked[k] = props[k];
  const r = InstanceInputs.safeParse(picked);
  if (r.success) return r.data;
  if (strict) {
    const i = r.error.issues[0];
    throw new Error(`invalid LxdInstance inputs: ${i ? `${formatPath(i.path)}: ${i.message}` : "invalid"}`);
  }
  return picked as unknown as InstanceSpec;
}

function readinessPlan(spec: InstanceSpec) {
  return { timeoutSeconds: spec.readiness.timeoutSeconds, agent: waitsForAgent(spec), ipv4: spec.readiness.ipv4, cloudInit: spec.readiness.cloudInit };
}

function imageSource(image: ImageSource) {
  return {
    type: "image",
    ...(image.alias !== undefined ? { alias: image.alias } : { fingerprint: image.fingerprint }),
    ...(image.server ? { server: image.server, protocol: image.protocol, mode: "pull" } : {}),
  };
}

function imageKey(image: ImageSource | undefined) {
  return image ? { alias: image.alias ?? null, fingerprint: image.fingerprint ?? null, server: image.server ?? null, protocol: image.server ? image.protocol : null } : null;
}

function remoteKey(spec: InstanceSpec): string {
  try {
    return remoteIdentity(spec.remote);
  } catch {
    return JSON.stringify(spec.remote);
  }
}

function describeImage(image: ImageSource): string {
  const what = image.alias !== undefined ? `alias "${image.alias}"` : `fingerprint ${image.fingerprint}`;
  return image.server ? `${what} on ${image.server}` : what;
}

/** `undefined`-free, key-order-free comparison form. */
function norm(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

interface ManagedBody {
  profiles: string[];
  config: Record<string, string>;
  devices: Record<string, Record<string, string>>;
  description: string;
}

/** What labfleet sets on the instance: profiles, config, devices (incl. the root disk), description. */
async function desiredBody(client: LxdClient, spec: InstanceSpec): Promise<ManagedBody> {
  const devices = { ...spec.devices };
  if (spec.rootDisk) {
    const pool = spec.rootDisk.pool ?? (await profilesRootPool(client, spec.profiles));
    devices.root = { type: "disk", path: "/", pool, size: spec.rootDisk.size };
  }
  return { profiles: spec.profiles, config: spec.config, devices, description: spec.description };
}

async function profilesRootPool(client: LxdClient, profiles: string[]): Promise<string> {
  let pool: string | undefined;
  for (const p of profiles) {
    const prof = (await client.get(`/1.0/profiles/${encodeURIComponent(p)}`, LxdProfile)).value;
    for (const d of Object.values(prof.devices)) if (d.type === "disk" && d.path === "/" && d.pool) pool = d.pool;
  }
  if (!pool) throw new Error(`rootDisk.pool: none of the profiles [${profiles.join(", ")}] on ${client.where} has a root disk; set rootDisk.pool`);
  return pool;
}

function managed(inst: LxdInstance): ManagedBody {
  const config = Object.fromEntries(Object.entries(inst.config).filter(([k]) => !isLxdOwnedKey(k)));
  return { profiles: inst.profiles, config, devices: inst.devices, description: inst.description };
}

function lxdOwned(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => isLxdOwnedKey(k)));
}

/** The live instance in spec terms (root disk folded back into `rootDisk` when the spec uses it). */
function observed(inst: LxdInstance, spec: InstanceSpec): Pick<InstanceSpec, "profiles" | "config" | "devices" | "description" | "rootDisk"> {
  const m = managed(inst);
  const devices = { ...m.devices };
  let rootDisk: InstanceSpec["rootDisk"];
  if (spec.rootDisk && devices.root) {
    const { size, pool } = devices.root;
    rootDisk = { size: size ?? "", ...(spec.rootDisk.pool !== undefined && pool !== undefined ? { pool } : {}) };
    delete devices.root;
  }
  return { profiles: m.profiles, config: m.config, devices, description: m.description, rootDisk };
}

function show(key: string, v: string | undefined): string {
  if (v === undefined) return "unset";
  return isOpaqueKey(key) ? "(value hidden)" : JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
}

/** Human-readable differences: declared spec vs the live instance. */
export function driftOf(spec: InstanceSpec, live: ReturnType<typeof observed>, status: string): string[] {
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(spec.config), ...Object.keys(live.config)])].sort()) {
    const want = spec.config[k];
    const have = live.config[k];
    if (want !== have) out.push(`config["${k}"]: declared ${show(k, want)}, live ${show(k, have)}`);
  }
  for (const d of [...new Set([...Object.keys(spec.devices), ...Object.keys(live.devices)])].sort()) {
    const want = spec.devices[d];
    const have = live.devices[d];
    if (!want) out.push(`devices.${d}: added outside Pulumi (type ${have?.type})`);
    else if (!have) out.push(`devices.${d}: removed outside Pulumi`);
    else if (!isDeepStrictEqual(norm(want), norm(have))) out.push(`devices.${d}: changed outside Pulumi`);
  }
  if (!isDeepStrictEqual(spec.profiles, live.profiles)) out.push(`profiles: declared [${spec.profiles.join(", ")}], live [${live.profiles.join(", ")}]`);
  if (spec.description !== live.description) out.push("description: changed outside Pulumi");
  if (spec.rootDisk && spec.rootDisk.size !== live.rootDisk?.size) out.push(`rootDisk.size: declared ${spec.rootDisk.size}, live ${live.rootDisk?.size ?? "unset"}`);
  if (status !== "Running") out.push(`status: declared Running, live ${status}`);
  return out;
}

function outputs(
  spec: InstanceSpec,
  inst: LxdInstance,
  status: string,
  ipv4: string | undefined,
  cloudInit: CloudInitResult,
  drift: string[],
): InstanceOutputs {
  return { ...spec, status, ipv4, cloudInit, baseImage: inst.config["volatile.base_image"], uuid: inst.config["volatile.uuid"], drift };
}

