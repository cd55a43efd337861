import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { credentialsDir, parseRoleEnv, renderRoleEnv, writeRoleEnv } from "../../../components/gitlab/env-file.ts";
import { tempDir } from "../../doubles/gitlab/fixture.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function home() {
  const t = tempDir("gl-cred-");
  cleanups.push(t.cleanup);
  return t.dir;
}

const PAT = "glpat-Abc123_def-456";
const ENV = renderRoleEnv("infra", { GITLAB_HOST: "gitlab.lab.example.org", GITLAB_USER: "project_12_bot_ab12", GITLAB_PAT: PAT });
const mode = (p: string) => statSync(p).mode & 0o777;

function tool(args: string[], env: Record<string, string>, stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", join(ROOT, "tools/gitlab-credentials.ts"), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}

describe("role env file", () => {
  it("renders GITLAB_HOST, GITLAB_USER and GITLAB_PAT and parses back", () => {
    expect(ENV.split("\n").filter((l) => !l.startsWith("#"))).toEqual([
      "GITLAB_HOST=gitlab.lab.example.org",
      "GITLAB_USER=project_12_bot_ab12",
      `GITLAB_PAT=${PAT}`,
      "",
    ]);
    expect(parseRoleEnv(ENV)).toEqual({ GITLAB_HOST: "gitlab.lab.example.org", GITLAB_USER: "project_12_bot_ab12", GITLAB_PAT: PAT });
  });

  it("parse errors name the key, never the value", () => {
    const bad = `GITLAB_HOST=../../etc\nGITLAB_USER=u\nGITLAB_PAT=${PAT}\nGITLAB_PASSWORD=hunter2\n`;
    let message = "";
    try {
      parseRoleEnv(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/GITLAB_HOST: must be a host name/);
    expect(message).toMatch(/unknown key/);
    expect(message).not.toContain(PAT);
    expect(message).not.toContain("hunter2");
  });

  it("writes $XDG_CONFIG_HOME/labfleet/credentials/gitlab/<host>/<role>.env with 0700 dirs and a 0600 file", () => {
    const xdg = join(home(), "xdg");
    const path = writeRoleEnv("infra", ENV, { XDG_CONFIG_HOME: xdg, HOME: "/nonexistent" });
    expect(path).toBe(join(xdg, "labfleet/credentials/gitlab/gitlab.lab.example.org/infra.env"));
    expect(readFileSync(path, "utf8")).toBe(ENV);
    expect(mode(path)).toBe(0o600);
    for (const d of ["labfleet", "labfleet/credentials", "labfleet/credentials/gitlab", "labfleet/credentials/gitlab/gitlab.lab.example.org"]) {
      expect(mode(join(xdg, d)), d).toBe(0o700);
    }
  });

  it("falls back to $HOME/.config, tightens a too-open existing directory, replaces the file atomically", () => {
    const h = home();
    const dir = join(credentialsDir({ HOME: h }), "gitlab.lab.example.org");
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "infra.env"), "old", { mode: 0o644 });
    const path = writeRoleEnv("infra", ENV, { HOME: h });
    expect(path).toBe(join(h, ".config/labfleet/credentials/gitlab/gitlab.lab.example.org/infra.env"));
    expect(mode(dir)).toBe(0o700);
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, "utf8")).toBe(ENV);
  });
});

describe("tools/gitlab-credentials.ts", () => {
  it("writes the role's file from the gitlabRoleEnv JSON on stdin and prints only the path", async () => {
    const xdg = join(home(), "cfg");
    const json = JSON.stringify({ arch: "", infra: ENV, runner: "" });
    const r = await tool(["--role", "infra", "--stdin"], { XDG_CONFIG_HOME: xdg, HOME: xdg }, json);
    expect(r.code).toBe(0);
    const path = join(xdg, "labfleet/credentials/gitlab/gitlab.lab.example.org/infra.env");
    expect(r.stdout.trim()).toBe(path);
    expect(r.stdout + r.stderr).not.toContain(PAT);
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, "utf8")).toBe(ENV);
  });

  it("exit 2 with the flag named for a bad role, and for a role without credentials yet", async () => {
    const xdg = home();
    const bad = await tool(["--role", "root", "--stdin"], { XDG_CONFIG_HOME: xdg }, ENV);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--role.*expected one of arch, infra, runner/);
    const none = await tool(["--role", "arch", "--stdin"], { XDG_CONFIG_HOME: xdg }, JSON.stringify({ arch: "" }));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no credentials for role arch/);
  });
});
