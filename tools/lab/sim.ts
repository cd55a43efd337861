/**
 * The simulated lab `npm run lab` deploys the `local` stack against when no boards are attached
 * (docs/runbooks/local-lab.md, with its module notes).
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { generateKeyPair, publicKeyOf } from "../../components/wireguard/keys.ts";
import { SIM_BOARD, startSocatPty } from "../../hardware/sim/pty.ts";
import { ROOT } from "../engine/pulumi.ts";
import { isOurs, run, spawnDetached, stopPid, waitFor } from "./procs.ts";

export const LAB_DIR = process.env.LABFLEET_LAB_DIR ?? join(ROOT, ".lab");
export const FAKE_ESPTOOL = join(ROOT, "hardware/sim/fake-esptool.sh");
const HA_SERVER = join(ROOT, "hardware/sim/home-assistant-server.ts");

/** What the simulation needs to know about the stack: its slots and its hub. */
export interface SimSpec {
  slots: { id: string; serialById: string; entity: string }[];
  hub: { interface: string; listenPort: number; cidr: string };
  /** Network namespace of the hub. */
  netns: string;
}

const SimState = z.strictObject({
  version: z.literal(1),
  startedAt: z.string(),
  netns: z.string(),
  hub: z.strictObject({ interface: z.string(), listenPort: z.number(), address: z.string(), publicKey: z.string(), pid: z.number() }),
  ha: z.strictObject({ url: z.string(), port: z.number(), pid: z.number(), entities: z.array(z.string()) }),
  serial: z.array(z.strictObject({ slot: z.string(), port: z.string(), device: z.string(), pid: z.number(), board: z.number().optional() })),
  firmware: z.strictObject({ path: z.string(), sha256: z.string() }),
  esptool: z.strictObject({ command: z.string(), log: z.string() }),
});
export type SimState = z.infer<typeof SimState>;

export class BoardsAttachedError extends Error {
  constructor(readonly real: string[], all: boolean) {
    super(
      all
        ? `every slot has a board attached (${real.join(", ")}): the lab is not simulated; deploy with your real firmware and Home Assistant by hand (docs/runbooks/local-lab.md "Real boards")`
        : `some slots have a real board attached and some do not (real: ${real.join(", ")}): refusing to mix real and simulated boards; attach all or none (docs/runbooks/local-lab.md)`,
    );
    this.name = "BoardsAttachedError";
  }
}

export function labFiles(dir = LAB_DIR) {
  return {
    dir,
    state: join(dir, "sim.json"),
    haToken: join(dir, "ha-token"),
    haReady: join(dir, "ha-ready.json"),
    hubKey: join(dir, "wg-hub.key"),
    firmwareDir: join(dir, "firmware"),
    serialDir: join(dir, "serial"),
    logDir: join(dir, "logs"),
    esptoolLog: join(dir, "esptool.log"),
  };
}

export function ensureLabDir(dir = LAB_DIR): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function readSimState(dir = LAB_DIR): SimState | undefined {
  const file = labFiles(dir).state;
  if (!existsSync(file)) return undefined;
  const parsed = SimState.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: not a simulated-lab state file (${parsed.error.issues[0]?.message}); remove it after checking nothing it lists still runs`);
  return parsed.data;
}

function writeSimState(dir: string, state: SimState): void {
  writeFileSync(labFiles(dir).state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The lab's HA bearer token, generated once (0600). */
export function haToken(dir = LAB_DIR): string {
  const file = labFiles(dir).haToken;
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

/** Which slots have something (a real board) at their by-id path that this simulation did not make. */
export function realBoards(spec: SimSpec, state: SimState | undefined): string[] {
  // A link this simulation made points into /dev/pts even after its socat died (a board's by-id
  // link points at a tty device), so a dead piece is restarted, not taken for a board.
  const ours = new Set((state?.serial ?? []).filter((s) => isOurs(s.pid, "socat") || linksToPty(s.port)).map((s) => s.port));
  return spec.slots.filter((s) => existsSync(s.serialById) && !ours.has(s.serialById)).map((s) => s.id);
}

/** Per piece: running or not, for `lab status`. */
export function simHealth(state: SimState): Record<string, boolean> {
  const h: Record<string, boolean> = {
    [`wireguard-go ${state.hub.interface} (netns ${state.netns}, pid ${state.hub.pid})`]: isOurs(state.hub.pid, "wireguard-go"),
    [`home assistant ${state.ha.url} (pid ${state.ha.pid})`]: isOurs(state.ha.pid, "home-assistant-server"),
  };
  for (const s of state.serial) {
    h[`serial ${s.slot} ${s.port} (socat pid ${s.pid})`] = isOurs(s.pid, "socat") && existsSync(s.port);
    h[`board ${s.slot} (pid ${s.board})`] = isOurs(s.board, "sim-board.sh");
  }
  return h;
}

export function simRunning(state: SimState | undefined): state is SimState {
  return state !== undefined && Object.values(simHealth(state)).every(Boolean);
}

/**
 * Starts the simulation, or returns the running one unchanged (idempotent). A partly running
 * simulation (a piece died) is stopped and started again.
 */
export async function startSim(spec: SimSpec, dir = LAB_DIR): Promise<SimState> {
  ensureLabDir(dir);
  const files = labFiles(dir);
  const previous = readSimState(dir);
  if (simRunning(previous) && sameSpec(previous, spec)) return previous;
  const real = realBoards(spec, previous);
  if (real.length > 0) throw new BoardsAttachedError(real, real.length === spec.slots.length);
  if (previous) await stopSim(dir);
  for (const d of [files.firmwareDir, files.serialDir, files.logDir]) mkdirSync(d, { recursive: true, mode: 0o700 });

  const state: Partial<SimState> & { version: 1; serial: SimState["serial"] } = {
    version: 1,
    startedAt: new Date().toISOString(),
    netns: spec.netns,
    serial: [],
  };
  // Written after every piece, so a failure part-way leaves a state `stopSim` can clean up.
  const save = () => writeSimState(dir, state as SimState);
  try {
    state.firmware = writeFirmware(files.firmwareDir);
    state.esptool = { command: FAKE_ESPTOOL, log: files.esptoolLog };
    if (!existsSync(files.esptoolLog)) writeFileSync(files.esptoolLog, "", { mode: 0o600 });
    save();
    for (const slot of spec.slots) {
      removeStaleLink(slot.serialById);
      const pty = await startSocatPty(slot.serialById, join(files.serialDir, `${slot.id}.device`), {
        detached: true,
        logFile: join(files.logDir, `socat-${slot.id}.log`),
      });
      state.serial.push({ slot: slot.id, port: pty.port, device: pty.device, pid: pty.pid });
      save();
      const board = await spawnDetached(["sh", SIM_BOARD, pty.device], { logFile: join(files.logDir, `board-${slot.id}.log`) });
      state.serial[state.serial.length - 1]!.board = board;
      save();
    }
    state.ha = await startHomeAssistant(dir, spec, previous?.ha.port);
    save();
    state.hub = await startHub(dir, spec, (pid) => {
      state.hub = { interface: spec.hub.interface, listenPort: spec.hub.listenPort, address: "", publicKey: "", pid };
      save();
    });
    save();
  } catch (err) {
    await stopSim(dir).catch(() => undefined);
    throw err;
  }
  return state as SimState;
}

function sameSpec(state: SimState, spec: SimSpec): boolean {
  return (
    state.netns === spec.netns &&
    state.hub.interface === spec.hub.interface &&
    state.hub.listenPort === spec.hub.listenPort &&
    JSON.stringify(state.serial.map((s) => [s.slot, s.port])) === JSON.stringify(spec.slots.map((s) => [s.id, s.serialById])) &&
    JSON.stringify(state.ha.entities) === JSON.stringify(spec.slots.map((s) => s.entity))
  );
}

function linksToPty(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && readlinkSync(path).startsWith("/dev/pts/");
  } catch {
    return false;
  }
}

/** A dangling link into /dev/pts at a by-id path is a leftover of a killed socat, not a board. */
function removeStaleLink(path: string): void {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isSymbolicLink() && !existsSync(path) && readlinkSync(path).startsWith("/dev/pts/")) unlinkSync(path);
}

/** 256 KiB, the same bytes every time (so the stack does not re-flash on every `lab up`). */
export function writeFirmware(dir: string): { path: string; sha256: string } {
  const chunks: Buffer[] = [];
  let block = createHash("sha256").update("labfleet simulated firmware v1").digest();
  for (let i = 0; i < 8192; i++) {
    chunks.push(block);
    block = createHash("sha256").update(block).digest();
  }
  const image = Buffer.concat(chunks);
  const path = join(dir, "labfleet-sim.bin");
  writeFileSync(path, image, { mode: 0o600 });
  return { path, sha256: createHash("sha256").update(image).digest("hex") };
}

async function startHomeAssistant(dir: string, spec: SimSpec, port: number | undefined): Promise<SimState["ha"]> {
  const files = labFiles(dir);
  const entities = spec.slots.map((s) => s.entity);
  rmSync(files.haReady, { force: true });
  const env = {
    ...process.env,
    HA_SIM_TOKEN: haToken(dir),
    HA_SIM_ENTITIES: entities.join(","),
    HA_SIM_READY_FILE: files.haReady,
    HA_SIM_PORT: String(port ?? 0),
  };
  const argv = [process.execPath, "--import", "tsx", HA_SERVER];
  const log = join(files.logDir, "home-assistant.log");
  let pid = await spawnDetached(argv, { logFile: log, env, cwd: ROOT });
  try {
    await waitFor(() => existsSync(files.haReady), 15_000, "the Home Assistant stand-in", () => (isOurs(pid, "home-assistant-server") ? undefined : exited(log)));
  } catch (err) {
    if (!port) throw err;
    // the previous port is taken now: any free one
    env.HA_SIM_PORT = "0";
    pid = await spawnDetached(argv, { logFile: log, env, cwd: ROOT });
    await waitFor(() => existsSync(files.haReady), 15_000, "the Home Assistant stand-in", () => (isOurs(pid, "home-assistant-server") ? undefined : exited(log)));
  }
  const ready = JSON.parse(readFileSync(files.haReady, "utf8")) as { url: string };
  return { url: ready.url, port: Number(new URL(ready.url).port), pid, entities };
}

function exited(log: string): string {
  return `exited: ${readFileSync(log, "utf8").trim().split("\n").slice(-5).join(" | ")}`;
}

async function netnsExists(ns: string): Promise<boolean> {
  return (await run(["ip", "netns", "list"])).split("\n").some((l) => l.split(" ")[0] === ns);
}

async function startHub(dir: string, spec: SimSpec, started: (pid: number) => void): Promise<SimState["hub"]> {
  const files = labFiles(dir);
  const { netns: ns, hub } = spec;
  if (!existsSync(files.hubKey)) writeFileSync(files.hubKey, `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
  const privateKey = readFileSync(files.hubKey, "utf8").trim();
  if (!(await netnsExists(ns))) await run(["ip", "netns", "add", ns]);
  await run(["ip", "-n", ns, "link", "set", "lo", "up"]);
  const log = join(files.logDir, "wireguard-go.log");
  const pid = await spawnDetached(["ip", "netns", "exec", ns, "wireguard-go", "-f", hub.interface], {
    logFile: log,
    env: { ...process.env, WG_PROCESS_FOREGROUND: "1", LOG_LEVEL: "error" },
  });
  started(pid);
  const wg = (...args: string[]) => run(["ip", "netns", "exec", ns, "wg", ...args]);
  await waitFor(
    () => wg("show", hub.interface, "listen-port").then(() => true, () => false),
    10_000,
    `wireguard-go ${hub.interface} in netns ${ns}`,
    () => (isOurs(pid, "wireguard-go") ? undefined : exited(log)),
  );
  await wg("set", hub.interface, "private-key", files.hubKey, "listen-port", String(hub.listenPort));
  const [base, bits] = hub.cidr.split("/");
  const o = base!.split(".").map(Number);
  const address = `${o[0]}.${o[1]}.${o[2]}.${o[3]! + 1}`;
  await run(["ip", "-n", ns, "addr", "replace", `${address}/${bits}`, "dev", hub.interface]);
  await run(["ip", "-n", ns, "link", "set", hub.interface, "up"]);
  return { interface: hub.interface, listenPort: hub.listenPort, address, publicKey: publicKeyOf(privateKey), pid };
}

export interface StopReport {
  stopped: string[];
  problems: string[];
}

/** Stops everything .lab/sim.json lists (by pid), deletes the namespace and the links; idempotent. */
export async function stopSim(dir = LAB_DIR): Promise<StopReport> {
  const files = labFiles(dir);
  const report: StopReport = { stopped: [], problems: [] };
  let state: Partial<SimState> | undefined;
  try {
    state = readSimState(dir);
  } catch (err) {
    report.problems.push((err as Error).message);
    return report;
  }
  if (!state) return report;
  const stop = async (what: string, pid: number | undefined, marker: string) => {
    if (!isOurs(pid, marker)) return;
    if (await stopPid(pid, marker)) report.stopped.push(what);
    else report.problems.push(`${what} (pid ${pid}) did not stop`);
  };
  for (const s of state.serial ?? []) {
    await stop(`board ${s.slot}`, s.board, "sim-board.sh");
    await stop(`serial ${s.slot} (socat)`, s.pid, "socat");
    removeStaleLink(s.port);
    rmSync(s.device, { force: true });
    if (existsSync(s.port) && lstatSync(s.port).isSymbolicLink() && readlinkSync(s.port).startsWith("/dev/pts/")) unlinkSync(s.port);
  }
  if (state.ha) await stop("home assistant", state.ha.pid, "home-assistant-server");
  rmSync(files.haReady, { force: true });
  if (state.hub) await stop(`wireguard-go ${state.hub.interface}`, state.hub.pid, "wireguard-go");
  if (state.netns && (await netnsExists(state.netns))) {
    try {
      await run(["ip", "netns", "del", state.netns]);
      report.stopped.push(`netns ${state.netns}`);
    } catch (err) {
      report.problems.push((err as Error).message);
    }
  }
  if (report.problems.length === 0) rmSync(files.state, { force: true });
  return report;
}
