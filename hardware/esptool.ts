import { execFile } from "node:child_process";
import { UsageError } from "./errors.ts";
import type { SlotConfig } from "./schema/inventory.ts";

/**
 * Which esptool is installed and how to talk to it (docs/design/hut.md "esptool v4 and v5").
 *
 * esptool v5 renamed its commands and options to kebab-case (`write-flash`, `image-info`,
 * `--flash-mode`) and its entry point to `esptool`; v4 has `esptool.py` and `write_flash`,
 * `image_info`. The global options hut uses (`--chip`, `--port`, `--baud`) are the same in both.
 * The version is read from `<esptool> version`, whose last line is the bare version in both.
 */

export interface Esptool {
  /** The command words (e.g. `esptool`, or `python3 -m esptool`). */
  command: string[];
  /** As printed by `esptool version`, e.g. `4.12.0`. */
  version: string;
  major: 4 | 5;
}

const SUPPORTED_MAJORS = [4, 5] as const;
const PROBE_TIMEOUT_MS = 30_000;

/** `HUT_ESPTOOL` (whitespace-separated, e.g. `python3 -m esptool`), else `esptool`, else `esptool.py` (v4). */
export function esptoolCandidates(env: NodeJS.ProcessEnv = process.env): string[][] {
  const words = (env.HUT_ESPTOOL ?? "").trim().split(/\s+/).filter(Boolean);
  return words.length > 0 ? [words] : [["esptool"], ["esptool.py"]];
}

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
}

function runTool(command: string[], args: string[]): Promise<Output> {
  const [cmd, ...pre] = command;
  return new Promise((resolve) => {
    execFile(cmd as string, [...pre, ...args], { timeout: PROBE_TIMEOUT_MS, encoding: "utf8" }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && typeof e.code === "string") return resolve({ code: null, stdout, stderr, error: e });
      resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The version in `esptool version` output: its last line that is a bare version number. */
export function parseVersion(output: string): string | undefined {
  const lines = output.split(/\r?\n/).map((l) => l.trim());
  return lines.reverse().find((l) => /^\d+\.\d+(\.\d+)?([.-]?[a-z0-9]+)*$/i.test(l));
}

/** Finds the installed esptool and its version; a missing or unsupported one is a UsageError (exit 2). */
export async function detectEsptool(env: NodeJS.ProcessEnv = process.env): Promise<Esptool> {
  const tried: string[] = [];
  for (const command of esptoolCandidates(env)) {
    const out = await runTool(command, ["version"]);
    const name = command.join(" ");
    if (out.error) {
      tried.push(`${name}: ${out.error.code === "ENOENT" ? "not found" : out.error.message}`);
      continue;
    }
    const version = parseVersion(out.stdout);
    if (out.code !== 0 || !version) {
      tried.push(`${name} version: exit ${out.code}, ${(out.stderr || out.stdout).trim().split("\n").at(-1) ?? "no output"}`);
      continue;
    }
    const major = Number(version.split(".")[0]);
    if (!(SUPPORTED_MAJORS as readonly number[]).includes(major)) {
      throw new UsageError(`HUT_ESPTOOL: ${name} is esptool ${version}; hut supports esptool v4 and v5`);
    }
    return { command, version, major: major as 4 | 5 };
  }
  throw new UsageError(`HUT_ESPTOOL: no usable esptool (${tried.join("; ")}); install esptool v4 or v5 (docs/runbooks/hut.md)`);
}

/** A command name in the syntax of the tool's major version (`write-flash` → `write_flash` for v4). */
function subcommand(tool: Esptool, kebab: string): string {
  return tool.major === 4 ? kebab.replaceAll("-", "_") : kebab;
}

/** The `write-flash` argv after the command words: global options, then the subcommand. */
export function writeFlashArgs(tool: Esptool, slot: SlotConfig, port: string, firmware: string): string[] {
  return ["--chip", slot.chip, "--port", port, "--baud", String(slot.flash.baud), subcommand(tool, "write-flash"), slot.flash.offset, firmware];
}

/** esptool's display name (`ESP32-S3`) → its `--chip` name (`esp32s3`). */
export function chipName(display: string): string {
  return display.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * The chip an image was built for, read by esptool's `image-info` from the image header's chip id
 * (never touches a port). A file esptool cannot read as an ESP image is a UsageError.
 */
export async function imageChip(tool: Esptool, firmware: string): Promise<string> {
  const out = await runTool(tool.command, [subcommand(tool, "image-info"), firmware]);
  const m = /^Detected image type: (\S+)/m.exec(out.stdout);
  if (out.error || out.code !== 0 || !m) {
    const why = out.error?.message ?? ((out.stderr || out.stdout).trim().split("\n").at(-1) || `exit ${out.code}`);
    throw new UsageError(`--firmware: ${firmware} is not an ESP image esptool ${tool.version} can read: ${why}`);
  }
  return chipName(m[1] as string);
}

/** Refuses (exit 2) an image built for another chip than the slot's, naming the slot and both chips. */
export async function checkImageChip(tool: Esptool, slot: SlotConfig, firmware: string): Promise<void> {
  const chip = await imageChip(tool, firmware);
  if (chip !== slot.chip) {
    throw new UsageError(`--firmware: ${firmware} is built for ${chip}, but slot ${slot.id} is an ${slot.chip}; not flashed`);
  }
}
