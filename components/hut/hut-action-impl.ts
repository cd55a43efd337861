import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { openStore } from "../../hardware/artifact-store.ts";
import { fetchBuild } from "../../hardware/fetch.ts";
import { ChipName, CommitSha, StoreUrl } from "../../hardware/schema/artifacts.ts";
import { ROLE_TIMEOUTS } from "../../hardware/schema/ws2.ts";
import { formatPath } from "../../hardware/schema/key-path.ts";
import { checkInputs, plain, withoutProvider } from "../dynamic-inputs.ts";
import { HOST_KEY_RE, SshError, connectSsh, sshExec, sshLabel } from "../ssh.ts";
import { shellQuote } from "../shell.ts";
import { HUT_REMOTE_ENV, remoteCommandLine } from "./commands.ts";

/**
 * `HutAction` provider logic (driven directly by tests; `hut-action.ts` only delegates here).
 * Design notes: docs/design/hut.md ("components/hut/hut-action-impl.ts").
 */

type Props = Record<string, unknown>;

/** Default bound of one run; the job-timeouts policy holds `timeoutSeconds` to the runner maximum. */
export const DEFAULT_TIMEOUT_SECONDS = 900;
/** stdout/stderr kept in the state (the tail; the hut CLI's --json result is one short line). */
export const MAX_OUTPUT_CHARS = 16 * 1024;
/** After TERM on timeout, how long a local command gets before KILL. */
const KILL_GRACE_MS = 5_000;
const SSH_READY_TIMEOUT_MS = 20_000;

const Connection = z.strictObject({
  host: z.string().min(1).describe("runner host name or address"),
  user: z.string().min(1).describe("ssh user"),
  port: z.number().int().min(1).max(65535).default(22),
  privateKey: z
    .string({ error: "required: the runner's SSH private key (secret labfleet:runnerSshKey)" })
    .includes("PRIVATE KEY", { message: "must be a PEM/OpenSSH private key" }),
  hostKey: z.string().regex(HOST_KEY_RE, "must be `ssh-ed25519 AAAA…` or a SHA256:… fingerprint").optional(),
});

/**
 * A flash by commit whose image travels from here: the provider fetches and verifies the build
 * under its own (the deploy job's) identity and copies it to the runner host over the action's
 * SSH connection, so the runner needs no store credentials (docs/design/artifacts.md, "The
 * stack's flash by commit"). How the bytes travel, not what is flashed: a change is stored only.
 */
const Transfer = z.strictObject({
  store: z.string().refine((u) => StoreUrl.safeParse(u).success, "must be an artifact store URL (s3://, gs://, file://)"),
  sha: CommitSha,
  chip: ChipName,
});

export const ActionInputs = z
  .strictObject({
    argv: z.array(z.string().min(1, "must not be empty")).min(1, "must name a command"),
    stdin: z.string().default(""),
    triggers: z.array(z.unknown()).default([]),
    /** Appended to argv; they change how, not what, it runs (the lock wait): a change is stored, not re-run. */
    runFlags: z.array(z.string().min(1, "must not be empty")).default([]),
    environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"), z.string()).default({}),
    connection: Connection.optional(),
    cwd: z.string().min(1).optional().describe("working directory of a local run; relative to the project root"),
    timeoutSeconds: z.number().int().positive().max(ROLE_TIMEOUTS.runner.maxSec).default(DEFAULT_TIMEOUT_SECONDS),
    transfer: Transfer.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.transfer && v.argv[v.argv.indexOf("--sha") + 1] !== v.transfer.sha) {
      ctx.addIssue({ code: "custom", path: ["transfer", "sha"], message: `argv must flash the same commit (--sha ${v.transfer.sha})` });
    }
    if (!v.connection) return;
    for (const k of Object.keys(v.environment)) {
      if (!(HUT_REMOTE_ENV as readonly string[]).includes(k)) {
        ctx.addIssue({
          code: "custom",
          path: ["environment", k],
          message: `the runner's sshd accepts only ${HUT_REMOTE_ENV.join(", ")} (AcceptEnv); ${k} would be dropped`,
        });
      }
    }
  });
export type ActionSpec = z.output<typeof ActionInputs>;

export interface ActionOutputs extends ActionSpec {
  stdout: string;
  stderr: string;
  exitCode: number;
  ranAt: string;
}

const SPEC_KEYS = ["argv", "stdin", "triggers", "runFlags", "environment", "connection", "cwd", "timeoutSeconds", "transfer"] as const;

/** The command line a run executes. */
const commandOf = (spec: ActionSpec): string[] => [...spec.argv, ...spec.runFlags];

export async function check(_olds: Props, news: Props) {
  return checkInputs(ActionInputs, withoutProvider(news));
}

/** Replace (a new run) when what runs changes; any other change only stores the new inputs. */
export async function diff(_id: string, olds: Props, news: Props) {
  const o = pick(olds);
  const n = pick(withoutProvider(news));
  const replaces: string[] = [];
  for (const k of ["argv", "stdin", "triggers"] as const) if (!same(o[k], n[k])) replaces.push(k);
  if (!same(hostOf(o.connection), hostOf(n.connection))) replaces.push("connection");
  const updates = SPEC_KEYS.filter((k) => !replaces.includes(k) && !same(o[k], n[k]));
  return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: Props) {
  const spec = strict(inputs);
  const ranAt = new Date().toISOString();
  // fetched and verified before the runner is contacted: a bad build never reaches it
  const image = spec.connection && spec.transfer ? await fetchImage(spec, spec.transfer) : undefined;
  const r = spec.connection ? await runRemote(spec, image) : await runLocal(spec);
  if (r.code !== 0) throw new Error(failureMessage(spec, r));
  const outs: ActionOutputs = {
    ...spec,
    stdout: keep(redact(r.stdout, spec.environment)),
    stderr: keep(redact(r.stderr, spec.environment)),
    exitCode: r.code,
    ranAt,
  };
  return { id: `${label(spec.argv).replace(/[^A-Za-z0-9-]+/g, "-")}-${randomBytes(4).toString("hex")}`, outs: plain(outs) as unknown as Props };
}

/**
 * An action's result cannot drift: what ran, ran. `read` (refresh, import) returns the stored
 * state as it is, and its inputs, without contacting any host.
 */
export async function read(id: string, props?: Props) {
  const p = props ?? {};
  return { id, props: plain(withoutProvider(p)), inputs: plain(pick(p)) };
}

/** Stores the new inputs (e.g. a rotated HA token or SSH key); runs nothing. */
export async function update(_id: string, olds: Props, news: Props) {
  const spec = strict(news);
  const outs = { ...spec, stdout: olds.stdout ?? "", stderr: olds.stderr ?? "", exitCode: olds.exitCode ?? 0, ranAt: olds.ranAt ?? "" };
  return { outs: plain(outs) as Props };
}

/** Runs nothing: a flash or power cycle has no undo, and the host may be gone. */
export async function remove(_id: string, _props: Props): Promise<void> {}
export { remove as delete };

// ---------------------------------------------------------------------------------------------

interface RunResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

function strict(props: Props): ActionSpec {
  const r = ActionInputs.safeParse(pick(withoutProvider(props)));
  if (r.success) return r.data;
  const what = r.error.issues.map((i) => `${formatPath(i.path) || "(inputs)"}: ${i.message}`).join("; ");
  throw new Error(`invalid HutAction inputs: ${what}`);
}

function pick(props: Props): Partial<Record<(typeof SPEC_KEYS)[number], unknown>> {
  const out: Props = {};
  for (const k of SPEC_KEYS) if (props[k] !== undefined) out[k] = props[k];
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a ?? null, b ?? null);
}

function hostOf(c: unknown): unknown {
  return c && typeof c === "object" ? (c as { host?: unknown }).host : undefined;
}

/**
 * `hut flash for slot hut-01`: the verb is the word before the first long option (hut's
 * `<verb> --option …` shape, whatever words hutCommand has), the slot `--slot`'s value.
 */
export function label(argv: readonly string[]): string {
  const firstOption = argv.findIndex((a, i) => i > 0 && a.startsWith("--"));
  const verb = firstOption > 0 ? argv[firstOption - 1]! : basename(argv[0] ?? "?");
  const slotAt = argv.indexOf("--slot");
  const slot = slotAt >= 0 ? argv[slotAt + 1] : undefined;
  return `hut ${verb}${slot ? ` for slot ${slot}` : ""}`;
}

/** Environment values (all secret) blanked out of text that goes into errors or the state. */
function redact(text: string, environment: Record<string, string>): string {
  let out = text;
  for (const v of Object.values(environment)) if (v.length >= 6) out = out.split(v).join("[secret]");
  return out;
}

function keep(text: string): string {
  if (text.length <= MAX_OUTPUT_CHARS) return text;
  return `[… ${text.length - MAX_OUTPUT_CHARS} chars cut]\n${text.slice(-MAX_OUTPUT_CHARS)}`;
}

function where(spec: ActionSpec): string {
  return spec.connection ? sshLabel(spec.connection) : "this host";
}

function failureMessage(spec: ActionSpec, r: RunResult): string {
  const lines = redact(r.stderr, spec.environment)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-8);
  let result = "";
  try {
    const doc = JSON.parse(redact(r.stdout, spec.environment).trim().split("\n").pop() ?? "") as { status?: unknown; message?: unknown };
    if (doc && typeof doc === "object" && (doc.status !== undefined || doc.message !== undefined)) {
      result = `; result: ${[doc.status, doc.message].filter((x) => x !== undefined).map(String).join(": ")}`;
    }
  } catch {}
  const exit = r.code !== null ? `exit code ${r.code}` : `killed by ${r.signal ?? "a signal"}`;
  const tail = lines.length > 0 ? `; stderr: ${lines.join(" | ")}` : "";
  return `${label(spec.argv)} failed on ${where(spec)} (${exit})${result}${tail}`;
}

/**
 * The project root: the engine starts the provider host in the directory of `main` (stacks/),
 * so look upward from the cwd for the directory holding this module (as `delegatingProvider`).
 */
export function projectRoot(from = process.cwd()): string {
  let dir = from;
  while (!existsSync(join(dir, "components/hut/hut-action-impl.ts"))) {
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}

function runLocal(spec: ActionSpec): Promise<RunResult> {
  const root = projectRoot();
  const cwd = spec.cwd === undefined ? root : isAbsolute(spec.cwd) ? spec.cwd : join(root, spec.cwd);
  const what = label(spec.argv);
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout also stops what hut started (esptool).
    const [cmd, ...cmdArgs] = commandOf(spec);
    const child = spawn(cmd!, cmdArgs, {
      cwd,
      env: { ...process.env, ...spec.environment },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {}
    };
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup("SIGTERM");
      grace = setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS);
    }, spec.timeoutSeconds * 1000);
    child.stdout.on("data", (d: Buffer) => {
      stdout = keepRaw(stdout + d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr = keepRaw(stderr + d.toString());
    });
    child.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = err.code === "ENOENT" ? `${spec.argv[0]} is not found (cwd ${cwd}, PATH of the provider host)` : err.message;
      reject(new Error(`${what} could not start on this host: ${why}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (grace) clearTimeout(grace);
      if (timedOut) {
        const tail = redact(stderr, spec.environment).trim().split("\n").slice(-3).join(" | ");
        reject(new Error(`${what} timed out on this host after ${spec.timeoutSeconds}s (timeoutSeconds) and was stopped${tail ? `; stderr: ${tail}` : ""}`));
        return;
      }
      resolve({ code, signal: signal ?? undefined, stdout, stderr });
    });
    child.stdin.on("error", () => undefined); // a command that never reads stdin
    child.stdin.end(spec.stdin);
  });
}

/** Bounds what is buffered of a chatty command (4× what is kept). */
function keepRaw(text: string): string {
  return text.length > 4 * MAX_OUTPUT_CHARS ? text.slice(-4 * MAX_OUTPUT_CHARS) : text;
}

interface StagedImage {
  bytes: Buffer;
  sha256: string;
}

/** The transfer's build, fetched with this host's store credentials into a private temporary directory and verified. */
async function fetchImage(spec: ActionSpec, t: NonNullable<ActionSpec["transfer"]>): Promise<StagedImage> {
  const dir = mkdtempSync(join(tmpdir(), "hut-transfer-")); // 0700
  try {
    const r = await fetchBuild({ store: openStore(StoreUrl.parse(t.store)), sha: t.sha, chip: t.chip, out: join(dir, `${t.chip}.bin`) });
    if (r.status !== "ok" || !r.out || !r.sha256) {
      throw new Error(`${label(spec.argv)}: fetching the build on this host failed (${r.status}): ${r.message}; nothing was sent to ${where(spec)}`);
    }
    return { bytes: readFileSync(r.out), sha256: r.sha256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes stdin into `firmware.bin` of a new private directory on the runner (mktemp -d: 0700;
 * umask 077: the file 0600) and prints the directory; a failed write removes it again.
 */
const STAGE_COMMAND = `umask 077 && d=$(mktemp -d) && { cat > "$d/firmware.bin" || { rm -rf -- "$d"; exit 1; }; } && printf '%s\\n' "$d"`;

/** argv with `--sha <commit>` replaced by the staged file and its sha256 (hut flash verifies it again). */
export function withStagedImage(argv: readonly string[], path: string, sha256: string): string[] {
  const at = argv.indexOf("--sha");
  return [...argv.slice(0, at), "--firmware", path, "--sha256", sha256, ...argv.slice(at + 2)];
}

async function runRemote(spec: ActionSpec, image?: StagedImage): Promise<RunResult> {
  const c = spec.connection!;
  const what = label(spec.argv);
  let client: Awaited<ReturnType<typeof connectSsh>>;
  try {
    client = await connectSsh({
      host: c.host,
      port: c.port,
      user: c.user,
      privateKey: c.privateKey,
      hostKey: c.hostKey,
      readyTimeoutMs: SSH_READY_TIMEOUT_MS,
      role: "the runner host",
      presenter: "the runner",
    });
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
  const timeoutMs = spec.timeoutSeconds * 1000;
  let staged: string | undefined;
  try {
    let argv = commandOf(spec);
    if (image) {
      const up = await sshExec(client, STAGE_COMMAND, { stdin: image.bytes, timeoutMs, label: `the image copy for ${what} to ${sshLabel(c)}` });
      const dir = up.stdout.trim();
      if (up.code !== 0 || !/^\/[^\n]+$/.test(dir)) {
        throw new Error(`${what}: copying the image to ${sshLabel(c)} failed (exit code ${up.code}); stderr: ${up.stderr.trim().split("\n").slice(-3).join(" | ")}`);
      }
      staged = dir;
      argv = withStagedImage(argv, `${dir}/firmware.bin`, image.sha256);
    }
    const r = await sshExec(client, remoteCommandLine(argv), {
      stdin: spec.stdin,
      env: spec.environment,
      timeoutMs,
      label: `${what} on ${sshLabel(c)}`,
    });
    if (!staged) return r;
    const dir = staged;
    staged = undefined;
    const problem = await removeStaged(client, dir, c);
    if (!problem) return r;
    const sep = r.stderr && !r.stderr.endsWith("\n") ? "\n" : "";
    return { ...r, stderr: `${r.stderr}${sep}warning: the staged image ${dir} on ${sshLabel(c)} was not removed (${problem})\n` };
  } catch (err) {
    if (err instanceof SshError && err.kind === "timeout") {
      throw new Error(`${what} timed out on ${sshLabel(c)} after ${spec.timeoutSeconds}s (timeoutSeconds) and was stopped`);
    }
    throw err;
  } finally {
    if (staged) await removeStaged(client, staged, c); // the run's own error is the one reported
    client.end();
  }
}

/** Removes the staged image's directory on the runner; a problem as text (the run's result keeps it as a warning). */
async function removeStaged(client: Awaited<ReturnType<typeof connectSsh>>, dir: string, c: NonNullable<ActionSpec["connection"]>): Promise<string | undefined> {
  try {
    const r = await sshExec(client, `rm -rf -- ${shellQuote(dir)}`, { timeoutMs: SSH_READY_TIMEOUT_MS, label: `removing ${dir} on ${sshLabel(c)}` });
    return r.code === 0 ? undefined : `exit code ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ""}`;
  } catch (err) {
    return (err as Error).message;
  }
}
