import { unknownValue } from "@pulumi/pulumi/runtime/rpc.js";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { flashArgs, hutArgv, slotInventory } from "../../../components/hut/commands.ts";
import * as impl from "../../../components/hut/hut-action-impl.ts";
import { espImage } from "../../../hardware/sim/esp-image.ts";
import { Inventory } from "../../../hardware/schema/inventory.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { callSerializedProvider } from "../../helpers/dynamic.ts";
import { one, runProgram } from "../../helpers/program.ts";
import { type Sshd, startSshd } from "../wireguard/sshd.ts";
import { FAKE_ESPTOOL, type TempDir, alive, slotEntry, tempDir, until } from "./helpers/cli.ts";
import { type PtyPair, bootingBoard, ptyPair } from "./helpers/serial.ts";
import { created, failure } from "./helpers/action.ts";

/**
 * HutAction's provider logic driven directly: a real local `hut flash` (fake esptool on a socat
 * pty, the slot's inventory only on stdin), failures and timeouts, diff/update/read/delete
 * semantics, the serialized provider in a plain node host, and the SSH path against a real sshd
 * that accepts exactly HUT_REMOTE_ENV.
 */

const TOKEN = "ha-token-s3cr3t-value-0042";
const ACTION = "pulumi-nodejs:dynamic/hut:HutAction";
let tmp: TempDir;
let pty: PtyPair;
let stopBoard: (() => void) | undefined;
let byId: string;
let fw: string;
let sha: string;

beforeAll(async () => {
  tmp = tempDir("hut-action-");
  byId = join(tmp.path, "by-id");
  fw = join(tmp.path, "fw.bin");
  writeFileSync(fw, espImage("esp32", Buffer.alloc(32 * 1024, 5))); // slot 1's chip: the default esp32
  sha = createHash("sha256").update(readFileSync(fw)).digest("hex");
  pty = await ptyPair(byId, slotEntry(1).serialById.split("/").pop()!);
  stopBoard = bootingBoard(pty); // the flashed board boots and prints its banner
});
afterAll(async () => {
  stopBoard?.();
  await pty?.close();
  tmp?.cleanup();
});

const slot = () => Inventory.parse({ slots: [slotEntry(1)] }).slots[0]!;

describe("HutAction, local", () => {
  it("runs the real hut flash: argv without a shell, the inventory on stdin, the environment", async () => {
    const log = join(tmp.path, "esptool.log");
    const r = await created({
      argv: hutArgv("node hardware/bin/hut.js", flashArgs(slot(), { path: fw, sha256: sha })),
      stdin: slotInventory(slot()),
      triggers: [sha],
      environment: { HUT_ESPTOOL: FAKE_ESPTOOL, FAKE_ESPTOOL_LOG: log, HUT_SERIAL_BY_ID_DIR: byId, HUT_LOCK_DIR: join(tmp.path, "locks"), HUT_INVENTORY: "/nonexistent" },
    });
    const outs = r.outs as Record<string, unknown>;
    expect(outs.exitCode).toBe(0);
    expect(JSON.parse(String(outs.stdout))).toMatchObject({ slot: "hut-01", status: "ok", sha256: sha, verified: true });
    expect(String(outs.stderr)).toContain("hut-01: writing 100%");
    expect(Date.parse(String(outs.ranAt))).toBeGreaterThan(Date.now() - 60_000);
    expect(r.id).toMatch(/^hut-flash-for-slot-hut-01-[0-9a-f]{8}$/);
    // the environment reached hut (it ran the fake esptool on the by-id port)
    expect(readFileSync(log, "utf8")).toContain(join(byId, slotEntry(1).serialById.split("/").pop()!));
    expect(outs).toMatchObject({ triggers: [sha], timeoutSeconds: 900, stdin: slotInventory(slot()) });
  });

  it("default cwd is the project root, found upward from the host's cwd (stacks/)", () => {
    expect(impl.projectRoot(join(ROOT, "stacks"))).toBe(ROOT);
    expect(impl.projectRoot(ROOT)).toBe(ROOT);
  });

  it("a non-zero exit fails with the verb, slot, exit code and stderr tail, never a secret", async () => {
    const msg = await failure(
      created({
        argv: ["sh", "-c", 'echo "step one" >&2; echo "auth with $HA_TOKEN refused" >&2; echo \'{"slot":"hut-01","status":"failed","message":"relay stuck"}\'; exit 3', "flash", "--slot", "hut-01"],
        environment: { HA_TOKEN: TOKEN },
      }),
    );
    expect(msg).toMatch(/^hut flash for slot hut-01 failed on this host \(exit code 3\); result: failed: relay stuck; stderr: step one \| auth with \[secret\] refused$/);
    expect(msg).not.toContain(TOKEN);

    const flashMsg = await failure(
      created({
        argv: hutArgv("node hardware/bin/hut.js", flashArgs(slot(), { path: fw, sha256: "0".repeat(64) })),
        stdin: slotInventory(slot()),
        environment: { HUT_ESPTOOL: FAKE_ESPTOOL, HUT_SERIAL_BY_ID_DIR: byId, HUT_LOCK_DIR: join(tmp.path, "locks"), HA_TOKEN: TOKEN },
      }),
    );
    expect(flashMsg).toMatch(/^hut flash for slot hut-01 failed on this host \(exit code 1\); result: sha_mismatch/);
    expect(flashMsg).not.toContain(TOKEN);
  });

  it("enforces timeoutSeconds and stops the whole process group", async () => {
    const pidFile = join(tmp.path, "sleeper.pid");
    const t0 = Date.now();
    const msg = await failure(created({ argv: ["sh", "-c", `sleep 60 & echo $! > ${pidFile}; wait`], timeoutSeconds: 1 }));
    expect(msg).toMatch(/^hut sh timed out on this host after 1s \(timeoutSeconds\) and was stopped/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const pid = Number(readFileSync(pidFile, "utf8"));
    await until(() => !alive(pid), 5000, "the sleeper to be gone");
  });

  it("a missing program is named", async () => {
    expect(await failure(created({ argv: ["/nonexistent/hut", "flash", "--slot", "hut-01"] }))).toMatch(/hut flash for slot hut-01 could not start on this host: \/nonexistent\/hut is not found/);
  });

  it("caps stdout/stderr kept in the state", async () => {
    const r = await created({ argv: ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"] });
    const out = String((r.outs as Record<string, unknown>).stdout);
    expect(out.length).toBeLessThan(impl.MAX_OUTPUT_CHARS + 100);
    expect(out).toMatch(/^\[… \d+ chars cut\]\n/);
  });
});

describe("HutAction lifecycle semantics", () => {
  const base = { argv: ["hut", "power-cycle", "--slot", "hut-01"], stdin: "{}", triggers: ["n1"], environment: { HA_URL: "https://ha", HA_TOKEN: TOKEN }, timeoutSeconds: 900 };
  const conn = { host: "10.88.0.10", user: "runner", port: 22, privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nk\n-----END OPENSSH PRIVATE KEY-----" };
  const state = { ...base, connection: conn, stdout: "{}", stderr: "", exitCode: 0, ranAt: "2026-01-01T00:00:00.000Z" };

  it("diff: what runs changes → replace; environment, run flags or key only → update without a run; nothing → no change", async () => {
    expect(await impl.diff("a", state, { ...base, connection: conn, __provider: "p" })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await impl.diff("a", state, { ...base, connection: conn, triggers: ["n2"] })).toMatchObject({ changes: true, replaces: ["triggers"] });
    expect(await impl.diff("a", state, { ...base, connection: conn, argv: [...base.argv, "--json"] })).toMatchObject({ changes: true, replaces: ["argv"] });
    // run flags (the lock wait) change how, not what, runs: stored, never re-run
    expect(await impl.diff("a", state, { ...base, connection: conn, runFlags: ["--wait", "60"] })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await impl.diff("a", state, { ...base, connection: conn, stdin: "{ }" })).toMatchObject({ changes: true, replaces: ["stdin"] });
    expect(await impl.diff("a", state, { ...base, connection: { ...conn, host: "10.88.0.11" } })).toMatchObject({ changes: true, replaces: ["connection"] });
    expect(await impl.diff("a", state, { ...base })).toMatchObject({ changes: true, replaces: ["connection"] }); // remote → local
    expect(await impl.diff("a", state, { ...base, connection: conn, triggers: [unknownValue] })).toMatchObject({ replaces: ["triggers"] });
    expect(await impl.diff("a", state, { ...base, connection: conn, environment: { ...base.environment, HA_TOKEN: "rotated-token-value" } })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await impl.diff("a", state, { ...base, connection: { ...conn, privateKey: `${conn.privateKey}\n` } })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("update stores the new inputs and keeps the result, running nothing; read returns state and inputs; delete runs nothing", async () => {
    const news = { ...base, connection: { ...conn, host: "unreachable.invalid" }, environment: { ...base.environment, HA_TOKEN: "rotated-token-value" } };
    const u = await impl.update("a", state, news);
    expect(u.outs).toMatchObject({ environment: { HA_TOKEN: "rotated-token-value" }, stdout: "{}", exitCode: 0, ranAt: state.ranAt });
    const r = await impl.read("a", { ...state, __provider: "p" });
    expect(r).toEqual({ id: "a", props: state, inputs: { ...base, connection: conn } });
    await expect(impl.delete("a", { ...state, connection: { ...conn, host: "gone.invalid" } })).resolves.toBeUndefined();
  });

  it("check names the bad input; over SSH only HUT_REMOTE_ENV may be sent; unknowns pass during preview", async () => {
    const bad = await impl.check({}, { ...base, connection: conn, environment: { HA_TOKEN: TOKEN, HUT_ESPTOOL: "x" } });
    expect(bad).toEqual({ failures: [{ property: "environment.HUT_ESPTOOL", reason: expect.stringContaining("accepts only HA_URL, HA_TOKEN") }] });
    const noKey = await impl.check({}, { ...base, connection: { host: "h", user: "u" } });
    expect(noKey).toEqual({ failures: [{ property: "connection.privateKey", reason: expect.stringContaining("labfleet:runnerSshKey") }] });
    const empty = await impl.check({}, { argv: [], timeoutSeconds: 20_000 });
    expect("failures" in empty && empty.failures?.map((f) => f.property)).toEqual(["argv", "timeoutSeconds"]);
    expect(JSON.stringify([bad, noKey])).not.toContain(TOKEN);
    const preview = await impl.check({}, { ...base, connection: { ...conn, host: unknownValue } });
    expect("inputs" in preview && preview.inputs).toMatchObject({ connection: { host: unknownValue } });
  });
});

describe("serialized HutAction provider in a plain node host", () => {
  it("checks and runs from the host's cwd (stacks/), with the project root as the command's cwd", async () => {
    const run = await runProgram({ stack: "local", config: { "labfleet:hut": { ...stackHut(), firmware: { esp32: { path: "/srv/fw.bin", sha256: sha }, esp32s3: { path: "/srv/fw-s3.bin", sha256: sha } } } } });
    const flash = one(run.resources, ACTION, "hut-01-flash");
    const provider = flash.inputs.__provider as string;
    expect(provider).not.toContain(ROOT);
    const { __provider: _, ...inputs } = flash.inputs;
    const checked = callSerializedProvider(provider, "check", [{}, inputs]);
    if (!checked.ok) throw new Error(checked.error);
    expect((checked.result as { inputs: Record<string, unknown> }).inputs).toMatchObject({ timeoutSeconds: 900, argv: inputs.argv });
    const created = callSerializedProvider(provider, "create", [{ argv: ["sh", "-c", 'pwd; cat; printf "%s\\n" "$HUT_X" | tr a-z A-Z'], stdin: "from-stdin\n", environment: { HUT_X: "from-env" }, timeoutSeconds: 30 }]);
    if (!created.ok) throw new Error(created.error);
    expect((created.result as { outs: { stdout: string } }).outs.stdout).toBe(`${ROOT}\nfrom-stdin\nFROM-ENV\n`);
    const failed = callSerializedProvider(provider, "create", [{ argv: ["sh", "-c", "exit 4"], environment: { HA_TOKEN: TOKEN } }]);
    expect(failed).toEqual({ ok: false, error: "hut sh failed on this host (exit code 4)" });
  });
});

function stackHut(): Record<string, unknown> {
  return parseYaml(readFileSync(join(ROOT, "Pulumi.local.yaml"), "utf8")).config["labfleet:hut"] ?? {};
}

// sshd comes from tools/setup/prereqs-wireguard.sh; without it startSshd fails: never a skip
describe("HutAction over SSH (real sshd with AcceptEnv HA_URL HA_TOKEN)", () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd({ extraConfig: ["AcceptEnv HA_URL HA_TOKEN"] });
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  const conn = () => ({ host: "127.0.0.1", port: sshd.port, user: "root", privateKey: sshd.clientKey, hostKey: sshd.hostKeyLine });

  it("sends stdin, the environment as SSH env requests and the quoted argv", async () => {
    const r = await created({
      argv: ["sh", "-c", 'printf "%s|" "$0" "$HA_URL" "$HA_TOKEN" | tr a-z A-Z; cat', "it's --slot", "--slot", "hut-07"],
      stdin: '{"slots":[]}\n',
      environment: { HA_URL: "https://ha.lab", HA_TOKEN: TOKEN },
      connection: conn(),
    });
    const outs = r.outs as Record<string, unknown>;
    // both variables reached the command (upper-cased here, so they show: the state blanks out
    // any environment value a command prints verbatim)
    expect(outs.stdout).toBe(`IT'S --SLOT|HTTPS://HA.LAB|${TOKEN.toUpperCase()}|{"slots":[]}\n`);
    expect(outs.exitCode).toBe(0);
  });

  it("a non-zero exit names the runner, verb, slot and exit code, never the token", async () => {
    const msg = await failure(
      created({ argv: ["sh", "-c", 'echo "no $HA_TOKEN" >&2; exit 5', "power-cycle", "--slot", "hut-07"], environment: { HA_TOKEN: TOKEN }, connection: conn() }),
    );
    expect(msg).toBe(`hut power-cycle for slot hut-07 failed on ssh root@127.0.0.1:${sshd.port} (exit code 5); stderr: no [secret]`);
  });

  it("enforces timeoutSeconds over SSH", async () => {
    const t0 = Date.now();
    const msg = await failure(created({ argv: ["sleep", "60"], connection: conn(), timeoutSeconds: 1 }));
    expect(msg).toMatch(/timed out on ssh root@127\.0\.0\.1:\d+ after 1s/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("refuses a host key that is not the pinned one, naming what the runner presented", async () => {
    const msg = await failure(created({ argv: ["true"], connection: { ...conn(), hostKey: sshd.otherHostKeyLine } }));
    expect(msg).toContain(`does not match the pinned hostKey (the runner presented ${sshd.hostKeyFingerprint})`);
    expect(msg).not.toContain("PRIVATE KEY");
  });
});
