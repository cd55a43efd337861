import { createHash } from "node:crypto";
import { posix } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { formatPath } from "../../hardware/schema/key-path.ts";
import { LxdInstance, STATUS } from "./api.ts";
import { checkInputs } from "../dynamic-inputs.ts";
import { LxdClient, LxdError } from "./client.ts";
import { INSTANCE_NAME } from "./instance-spec.ts";
import { LxdRemote, remoteIdentity } from "./remote.ts";

/**
 * `LxdInstanceFile`: one file inside an instance, written through LXD's file API (no SSH, works
 * once the instance runs; VMs need their agent), optionally followed by a command (e.g. restart a
 * service). Used for secrets that must change without rebuilding the instance (the runner's
 * WireGuard config: a key rotation rewrites the file instead of replacing the VM).
 */

export const FileInputs = z
  .strictObject({
    remote: LxdRemote,
    clientKey: z.string().includes("PRIVATE KEY", { message: "must be a PEM private key" }).optional(),
    instance: z.string().regex(INSTANCE_NAME, "must be a valid LXD instance name"),
    instanceUuid: z.string().min(1).describe("the instance's volatile.uuid: a replaced instance gets the file again"),
    path: z
      .string()
      .startsWith("/", "must be an absolute path")
      .refine((p) => posix.normalize(p) === p && !p.endsWith("/"), { message: "must be a normalised file path" }),
    content: z.string(),
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, "must be an octal mode like 0600")
      .default("0600")
      .transform((m) => m.padStart(4, "0")),
    uid: z.number().int().min(0).default(0),
    gid: z.number().int().min(0).default(0),
    owner: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Linux user name")
      .optional()
      .describe("user owning the file and the directories created for it (resolved in the instance; uid/gid then unused)"),
    dirMode: z
      .string()
      .regex(/^0?[0-7]{3}$/, "must be an octal mode like 0700")
      .default("0755")
      .transform((m) => m.padStart(4, "0"))
      .describe("mode of the missing parent directories the write creates"),
    apply: z.array(z.string().min(1)).min(1).optional().describe("command run in the instance after each write; must exit 0"),
    remove: z.array(z.string().min(1)).min(1).optional().describe("command run in the instance before the file is removed"),
    execTimeoutSeconds: z.number().int().positive().max(3600).default(120),
  })
  .superRefine((v, ctx) => {
    if (v.owner !== undefined && (v.uid !== 0 || v.gid !== 0)) {
      ctx.addIssue({ code: "custom", path: ["owner"], message: "set either owner or uid/gid, not both" });
    }
    if (v.remote.kind === "https" && !v.clientKey) {
      ctx.addIssue({ code: "custom", path: ["clientKey"], message: "required for an https remote (labfleet:lxdClientKey)" });
    }
  });
export type FileSpec = z.output<typeof FileInputs>;

export interface FileOutputs extends FileSpec {
  sha256: string;
  drift: string[];
}

type Props = Record<string, unknown>;

const SPEC_KEYS = ["remote", "clientKey", "instance", "instanceUuid", "path", "content", "mode", "uid", "gid", "owner", "dirMode", "apply", "remove", "execTimeoutSeconds"] as const;

export async function check(_olds: Props, news: Props) {
  return checkInputs(FileInputs, news);
}

export async function diff(_id: string, olds: Props, news: Props) {
  const o = loose(olds);
  const n = loose(news);
  const replaces: string[] = [];
  if (remoteKey(o) !== remoteKey(n)) replaces.push("remote");
  for (const k of ["instance", "instanceUuid", "path"] as const) if (o[k] !== n[k]) replaces.push(k);
  const changed = SPEC_KEYS.some((k) => !isDeepStrictEqual(o[k] ?? null, n[k] ?? null));
  const drifted = Array.isArray(olds.drift) && olds.drift.length > 0;
  return { changes: replaces.length > 0 || changed || drifted, replaces, deleteBeforeReplace: true };
}

export async function create(inputs: Props) {
  const spec = strict(inputs);
  const client = clientFor(spec);
  await write(client, spec);
  return { id: `${spec.instance}:${spec.path}`, outs: outputs(spec, spec, []) as unknown as Props };
}

export async function read(id: string, props?: Props) {
  if (!props?.remote) throw new Error(`LxdInstanceFile ${id}: read needs the remote in the resource state`);
  const spec = loose(props);
  const client = clientFor(spec);
  const live = await fetchFile(client, spec.instance, spec.path);
  if (!live) return {};
  const want = await ownerIds(client, spec);
  // with `owner`, uid/gid stay as declared (unused) and a wrong owner is reported as drift
  const actual: FileSpec = { ...spec, content: live.content, mode: live.mode, ...(spec.owner ? {} : { uid: live.uid, gid: live.gid }) };
  const drift: string[] = [];
  if (live.content !== spec.content) drift.push(`content: changed inside the instance (sha256 ${sha(live.content).slice(0, 12)}, declared ${sha(spec.content).slice(0, 12)})`);
  if (live.mode !== spec.mode) drift.push(`mode: declared ${spec.mode}, live ${live.mode}`);
  if (live.uid !== want.uid || live.gid !== want.gid) drift.push(`owner: declared ${spec.owner ?? `${want.uid}:${want.gid}`}, live ${live.uid}:${live.gid}`);
  return { id, props: outputs(actual, actual, drift) as unknown as Props, inputs: pick(actual) };
}

export async function update(_id: string, olds: Props, news: Props) {
  const spec = strict(news);
  const old = loose(olds);
  const client = clientFor(spec);
  const rewrite =
    spec.content !== old.content ||
    spec.mode !== old.mode ||
    spec.uid !== old.uid ||
    spec.gid !== old.gid ||
    spec.owner !== old.owner ||
    !isDeepStrictEqual(spec.apply ?? null, old.apply ?? null) ||
    (Array.isArray(olds.drift) && olds.drift.length > 0);
  if (rewrite && !(await alreadyLive(client, spec, old, olds))) await write(client, spec);
  return { outs: outputs(spec, spec, []) as unknown as Props };
}

/**
 * Only the content changed and the instance already holds it, mode and owner as declared: someone
 * delivered it (a WireGuard key rotation writes the runner's config itself and switches its key in
 * place) — rewriting and running `apply` again (a wg-quick restart) would only cut the tunnel.
 */
async function alreadyLive(client: LxdClient, spec: FileSpec, old: FileSpec, olds: Props): Promise<boolean> {
  const onlyContent =
    spec.mode === old.mode && spec.uid === old.uid && spec.gid === old.gid && spec.owner === old.owner && isDeepStrictEqual(spec.apply ?? null, old.apply ?? null) && !(Array.isArray(olds.drift) && olds.drift.length > 0);
  if (!onlyContent) return false;
  const live = await fetchFile(client, spec.instance, spec.path).catch(() => undefined);
  if (live === undefined || live.content !== spec.content || live.mode !== spec.mode) return false;
  const ids = await ownerIds(client, spec);
  return live.uid === ids.uid && live.gid === ids.gid;
}

export async function remove(id: string, props: Props) {
  const spec = loose(props);
  const client = clientFor(spec);
  const where = `${spec.path} in instance "${spec.instance}" on ${client.where}`;
  const inst = await client.find(`/1.0/instances/${encodeURIComponent(spec.instance)}`, LxdInstance);
  if (!inst) return; // the instance is gone, and the file with it
  if (inst.value.status_code !== STATUS.running && inst.value.type === "virtual-machine") {
    throw new Error(`cannot remove ${where}: the VM is ${inst.value.status} (its agent is needed); start it, or delete the instance`);
  }
  if (spec.remove && inst.value.status_code === STATUS.running) await run(client, spec, spec.remove, `remove command for ${id}`);
  try {
    await client.call("DELETE", filePath(spec.instance, spec.path));
  } catch (err) {
    if (!(err instanceof LxdError && err.notFound)) throw new Error(`cannot remove ${where}: ${(err as Error).message}`);
  }
}
export { remove as delete };

// ---------------------------------------------------------------------------------------------

function clientFor(spec: Pick<FileSpec, "remote" | "clientKey">): LxdClient {
  return new LxdClient({ remote: spec.remote, clientKey: spec.clientKey });
}

function strict(props: Props): FileSpec {
  const r = FileInputs.safeParse(pick(props));
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new Error(`invalid LxdInstanceFile inputs: ${i ? `${formatPath(i.path)}: ${i.message}` : "invalid"}`);
}

function loose(props: Props): FileSpec {
  const r = FileInputs.safeParse(pick(props));
  return r.success ? r.data : (pick(props) as unknown as FileSpec);
}

function pick(props: Props): Props {
  const out: Props = {};
  for (const k of SPEC_KEYS) if (props[k] !== undefined) out[k] = props[k];
  return out;
}

function remoteKey(spec: FileSpec): string {
  try {
    return remoteIdentity(spec.remote);
  } catch {
    return JSON.stringify(spec.remote);
  }
}

function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function outputs(spec: FileSpec, live: FileSpec, drift: string[]): FileOutputs {
  return { ...spec, sha256: sha(live.content), drift };
}

const filePath = (instance: string, path: string) => `/1.0/instances/${encodeURIComponent(instance)}/files?path=${encodeURIComponent(path)}`;

async function fetchFile(client: LxdClient, instance: string, path: string) {
  const res = await client.raw("GET", filePath(instance, path));
  if (res.status === 404) return undefined;
  if (res.status !== 200) {
    let msg = res.text.slice(0, 200);
    try {
      msg = (JSON.parse(res.text) as { error?: string }).error ?? msg;
    } catch {}
    throw new LxdError("api", `LXD GET ${filePath(instance, path)} on ${client.where} failed (${res.status}): ${msg}`, res.status);
  }
  // LXD answers X-LXD-type/mode/uid/gid, Incus X-Incus-… (it still accepts X-LXD-… on uploads).
  const h = (k: string) => String(res.headers[`x-lxd-${k}`] ?? res.headers[`x-incus-${k}`] ?? "");
  if (h("type") !== "file") throw new Error(`${path} in instance "${instance}" is a ${h("type") || "non-file"}, not a file`);
  return { content: res.text, mode: h("mode").padStart(4, "0"), uid: Number(h("uid")), gid: Number(h("gid")) };
}

/** One file write through the LXD file API (mode and owner apply when LXD creates the file). */
export async function putFile(client: LxdClient, instance: string, f: { path: string; content: string; mode: string; uid: number; gid: number }): Promise<void> {
  await client.call("POST", filePath(instance, f.path), {
    bytes: Buffer.from(f.content, "utf8"),
    headers: { "X-LXD-type": "file", "X-LXD-write": "overwrite", "X-LXD-mode": f.mode, "X-LXD-uid": String(f.uid), "X-LXD-gid": String(f.gid) },
  });
}

/** uid/gid the file must have: `owner` resolved in the instance, else the declared ids. */
async function ownerIds(client: LxdClient, spec: FileSpec): Promise<{ uid: number; gid: number }> {
  if (!spec.owner) return { uid: spec.uid, gid: spec.gid };
  const r = await client.exec(spec.instance, ["sh", "-c", 'id -u "$1" && id -g "$1"', "sh", spec.owner], { timeoutSeconds: spec.execTimeoutSeconds });
  const [uid, gid] = r.stdout.trim().split("\n").map(Number);
  if (r.exitCode !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error(`owner: user ${JSON.stringify(spec.owner)} does not exist in instance "${spec.instance}" on ${client.where}`);
  }
  return { uid: uid!, gid: gid! };
}

/** The missing ancestors of `path`, outermost first (the root always exists). */
async function missingDirs(client: LxdClient, instance: string, path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = posix.dirname(path); dir !== "/"; dir = posix.dirname(dir)) {
    if ((await client.raw("GET", filePath(instance, dir))).status !== 404) break;
    missing.unshift(dir);
  }
  return missing;
}

/**
 * Writes the file (creating missing parent directories with `dirMode`, owned like the file when
 * `owner` is set, else by root), then runs `apply`; nothing half-applied.
 */
async function write(client: LxdClient, spec: FileSpec): Promise<void> {
  const where = `${spec.path} in instance "${spec.instance}" on ${client.where}`;
  const ids = await ownerIds(client, spec);
  const before = await fetchFile(client, spec.instance, spec.path).catch(() => undefined);
  const existedBefore = before !== undefined;
  try {
    // LXD applies mode and owner only when it creates a file: recreate to correct them.
    if (before && (before.mode !== spec.mode || before.uid !== ids.uid || before.gid !== ids.gid)) {
      await client.call("DELETE", filePath(spec.instance, spec.path));
    }
    const dirOwner = spec.owner ? ids : { uid: 0, gid: 0 };
    for (const dir of await missingDirs(client, spec.instance, spec.path)) {
      await client.call("POST", filePath(spec.instance, dir), {
        headers: { "X-LXD-type": "directory", "X-LXD-mode": spec.dirMode, "X-LXD-uid": String(dirOwner.uid), "X-LXD-gid": String(dirOwner.gid) },
      });
    }
    await putFile(client, spec.instance, { ...spec, ...ids });
  } catch (err) {
    throw new Error(`cannot write ${where}: ${(err as Error).message}`);
  }
  if (!spec.apply) return;
  try {
    await run(client, spec, spec.apply, "apply command");
  } catch (err) {
    // A new file whose apply command failed is taken away again; a rewritten one stays (the
    // error says so) because the previous content is not known here.
    if (!existedBefore) await client.call("DELETE", filePath(spec.instance, spec.path)).catch(() => undefined);
    throw new Error(`${(err as Error).message}; ${existedBefore ? "the file keeps its new content" : "the file was removed again"}`);
  }
}

async function run(client: LxdClient, spec: FileSpec, command: string[], what: string): Promise<void> {
  const r = await client.exec(spec.instance, command, { timeoutSeconds: spec.execTimeoutSeconds });
  if (r.exitCode !== 0) {
    const out = `${r.stdout}\n${r.stderr}`
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-8)
      .join(" | ");
    throw new Error(`${what} ${JSON.stringify(command.join(" "))} in instance "${spec.instance}" on ${client.where} exited ${r.exitCode}: ${out}`);
  }
}
