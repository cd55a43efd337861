/**
 * The role credentials file: `GITLAB_HOST`, `GITLAB_USER`, `GITLAB_PAT` (one per line, shell- and
 * docker-env-compatible), written to
 * `${XDG_CONFIG_HOME:-$HOME/.config}/labfleet/credentials/gitlab/<host>/<role>.env`
 * with 0700 directories and a 0600 file, atomically (temp file + rename).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ROLES, type Role } from "./roles.ts";

/** host[:port] — nothing that could climb out of the credentials directory. */
const Host = z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be a host name (optionally :port)");
const Value = z.string().min(1).regex(/^[^\s'"\\$`]+$/, "must be a single word without quotes or shell characters");

export const RoleEnv = z.strictObject({ GITLAB_HOST: Host, GITLAB_USER: Value, GITLAB_PAT: Value });
export type RoleEnv = z.output<typeof RoleEnv>;

export function renderRoleEnv(role: Role, env: RoleEnv): string {
  const e = RoleEnv.parse(env);
  return [
    `# labfleet GitLab credentials of the ${role} role — secret, keep 0600, never commit`,
    `GITLAB_HOST=${e.GITLAB_HOST}`,
    `GITLAB_USER=${e.GITLAB_USER}`,
    `GITLAB_PAT=${e.GITLAB_PAT}`,
    "",
  ].join("\n");
}

/** Parses an env file's text; errors name the key, never echo values. */
export function parseRoleEnv(text: string): RoleEnv {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(t);
    if (!m) throw new Error("role env: a line is not KEY=value");
    out[m[1]!] = m[2]!;
  }
  const parsed = RoleEnv.safeParse(out);
  if (!parsed.success) {
    throw new Error(`role env: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.code === "unrecognized_keys" ? "unknown key" : i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** `${XDG_CONFIG_HOME:-$HOME/.config}` (a relative XDG_CONFIG_HOME is ignored, as the spec says). */
export function configHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CONFIG_HOME?.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), ".config");
}

export function credentialsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(configHome(env), "labfleet", "credentials", "gitlab");
}

/** Where `role`'s env file for GitLab `host` lives (under `credentialsDir(env)`). */
export function roleEnvPath(role: Role, host: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(credentialsDir(env), Host.parse(host), `${role}.env`);
}

/** Writes the role's env file; returns its path. Directories from `labfleet/` down are 0700. */
export function writeRoleEnv(role: Role, text: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`unknown role ${JSON.stringify(role)} (expected ${ROLES.join(", ")})`);
  const parsed = parseRoleEnv(text);
  const base = configHome(env);
  const root = credentialsDir(env);
  const dir = join(root, parsed.GITLAB_HOST);
  mkdirSync(base, { recursive: true });
  for (const d of [join(base, "labfleet"), join(base, "labfleet", "credentials"), root, dir]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    if ((statSync(d).mode & 0o777) !== 0o700) chmodSync(d, 0o700);
  }
  const target = roleEnvPath(role, parsed.GITLAB_HOST, env);
  const tmp = join(dir, `.${role}.env.${randomBytes(4).toString("hex")}`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, renderRoleEnv(role, parsed));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  chmodSync(target, 0o600);
  return target;
}
