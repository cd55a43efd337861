/** Shared set-up for tests against the GitLab double. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../../../components/gitlab/client.ts";
import * as project from "../../../components/gitlab/project-impl.ts";
import { type DoubleOptions, GitlabDouble } from "./server.ts";

export const GROUP = "lab-agents";

export async function startGitlab(opts: DoubleOptions = {}) {
  const d = await GitlabDouble.start(opts);
  const group = d.addGroup(GROUP);
  return { d, group, conn: { gitlabUrl: d.url, gitlabToken: d.adminToken } };
}

/** The double with the runner role's project `lab-agents/runner` created through the project provider. */
export async function startGitlabWithRunnerProject() {
  const s = await startGitlab();
  const p = await project.create(project.ProjectInputs.parse({ ...s.conn, role: "runner", namespace: "lab-agents", path: "runner" }) as never);
  return { ...s, projectId: Number(p.id), projectPath: "lab-agents/runner" };
}

/** Does this secret authenticate right now? (GET /user with it) */
export function tokenWorks(url: string, secret: string): Promise<boolean> {
  return connect(url, secret)
    .api.Users.showCurrentUser()
    .then(
      () => true,
      () => false,
    );
}

/** Fails with the call's status; the error must never carry a secret. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

/**
 * Runs git against the double with a token as HTTP Basic password, passed through git's
 * environment config (never argv). Asynchronous: the double serves from this same process.
 */
export function git(args: string[], opts: { cwd?: string; token?: string } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", HOME: opts.cwd ?? tmpdir() };
  if (opts.token) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`oauth2:${opts.token}`).toString("base64")}`;
  }
  return new Promise((resolve) => {
    execFile("git", args, { cwd: opts.cwd, env, encoding: "utf8", timeout: 30_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ status, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

export function tempDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
