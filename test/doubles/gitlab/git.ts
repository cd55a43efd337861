/**
 * Real bare git repositories behind the GitLab double: the commits API writes real commits
 * (plumbing: hash-object / update-index / write-tree / commit-tree / update-ref with the old value,
 * so a ref only ever moves forward from what the caller saw — no force updates), and
 * `serveGit` exposes them read-only over smart HTTP through `git http-backend`.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ZERO = "0".repeat(40);

export class GitError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CommitAction {
  action: "create" | "update" | "delete" | "chmod";
  file_path: string;
  content?: string;
  encoding?: "text" | "base64";
  execute_filemode?: boolean;
  last_commit_id?: string;
}

export interface FileEntry {
  content: Buffer;
  blobId: string;
  mode: string;
}

export interface CommitInfo {
  id: string;
  parent_ids: string[];
  message: string;
  title: string;
  author_name: string;
  committed_date: string;
}

export class BareRepo {
  constructor(readonly dir: string) {}

  static init(dir: string, defaultBranch: string): BareRepo {
    mkdirSync(dir, { recursive: true });
    const repo = new BareRepo(dir);
    repo.git(["init", "--bare", "--quiet", `--initial-branch=${defaultBranch}`, dir], { bare: false });
    return repo;
  }

  git(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; bare?: boolean; allowFail?: boolean } = {}): string {
    const env = { ...process.env, ...(opts.bare === false ? {} : { GIT_DIR: this.dir }), ...opts.env };
    const r = spawnSync("git", args, { env, input: opts.input, timeout: 20_000 });
    if (r.status !== 0) {
      if (opts.allowFail) return "";
      throw new Error(`git ${args.join(" ")} failed: ${r.stderr?.toString() ?? r.error?.message}`);
    }
    return r.stdout.toString().trim();
  }

  head(branch: string): string | null {
    const sha = this.git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { allowFail: true });
    return sha || null;
  }

  branches(): string[] {
    const out = this.git(["for-each-ref", "--format=%(refname:short)", "refs/heads/"]);
    return out ? out.split("\n") : [];
  }

  isEmpty(): boolean {
    return this.branches().length === 0;
  }

  setHead(branch: string): void {
    this.git(["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
  }

  readFile(ref: string, path: string): FileEntry | null {
    const sha = this.head(ref) ?? (/^[0-9a-f]{40}$/.test(ref) ? ref : null);
    if (!sha) return null;
    const line = this.git(["ls-tree", sha, "--", path], { allowFail: true });
    const m = /^(\d+) blob ([0-9a-f]{40})\t(.*)$/.exec(line);
    if (!m || m[3] !== path) return null;
    const r = spawnSync("git", ["cat-file", "blob", m[2]!], { env: { ...process.env, GIT_DIR: this.dir } });
    return { content: r.stdout, blobId: m[2]!, mode: m[1]! };
  }

  lastCommitFor(ref: string, path: string): string {
    return this.git(["log", "-1", "--format=%H", `refs/heads/${ref}`, "--", path], { allowFail: true });
  }

  commitInfo(sha: string): CommitInfo {
    const out = this.git(["show", "-s", "--format=%H%x00%P%x00%an%x00%cI%x00%B", sha]);
    const [id, parents, author, date, ...msg] = out.split("\0");
    const message = msg.join("\0").trim();
    return {
      id: id!,
      parent_ids: parents ? parents.split(" ").filter(Boolean) : [],
      message,
      title: message.split("\n")[0]!,
      author_name: author!,
      committed_date: date!,
    };
  }

  log(branch: string): CommitInfo[] {
    const head = this.head(branch);
    if (!head) return [];
    const shas = this.git(["rev-list", head]).split("\n").filter(Boolean);
    return shas.map((s) => this.commitInfo(s));
  }

  isAncestor(ancestor: string, of: string): boolean {
    const r = spawnSync("git", ["merge-base", "--is-ancestor", ancestor, of], { env: { ...process.env, GIT_DIR: this.dir } });
    return r.status === 0;
  }

  /** Moves `branch` from `expectOld` (null: must not exist) to `sha`; fails if it moved meanwhile. */
  updateRef(branch: string, sha: string, expectOld: string | null): void {
    this.git(["update-ref", `refs/heads/${branch}`, sha, expectOld ?? ZERO]);
  }

  deleteBranch(branch: string): void {
    const old = this.head(branch);
    if (old) this.git(["update-ref", "-d", `refs/heads/${branch}`, old]);
  }

  /** Applies commit actions on top of `parent` (null: root commit) and returns the new commit. */
  commit(parent: string | null, actions: CommitAction[], message: string, author: { name: string; email: string }): string {
    const scratch = mkdtempSync(join(tmpdir(), "gl-double-index-"));
    const env = { GIT_INDEX_FILE: join(scratch, "index") };
    try {
      this.git(parent ? ["read-tree", parent] : ["read-tree", "--empty"], { env });
      for (const a of actions) {
        const path = a.file_path;
        if (!path || path.startsWith("/") || path.split("/").some((s) => s === ".." || s === "." || s === "")) {
          throw new GitError(400, `Your changes could not be committed: invalid file path '${path}'`);
        }
        const staged = this.git(["ls-files", "--stage", "--", path], { env });
        const entry = staged
          .split("\n")
          .map((l) => /^(\d+) ([0-9a-f]{40}) \d\t(.*)$/.exec(l))
          .find((m) => m?.[3] === path);
        const exists = Boolean(entry);
        if (a.action === "create" && exists) throw new GitError(400, "A file with this name already exists");
        if (a.action !== "create" && !exists) throw new GitError(400, "A file with this name doesn't exist");
        if (a.last_commit_id && parent) {
          const last = this.git(["log", "-1", "--format=%H", parent, "--", path], { allowFail: true });
          if (last && last !== a.last_commit_id) {
            throw new GitError(400, "You are attempting to update a file that has changed since you started editing it.");
          }
        }
        if (a.action === "delete") {
          // mode 0 removes the entry (--force-remove would need a work tree)
          this.git(["update-index", "--index-info"], { env, input: `0 ${ZERO}\t${path}\n` });
          continue;
        }
        const mode = a.execute_filemode === true ? "100755" : a.execute_filemode === false ? "100644" : (entry?.[1] ?? "100644");
        let blob = entry?.[2];
        if (a.action !== "chmod") {
          const data = a.encoding === "base64" ? Buffer.from(a.content ?? "", "base64") : Buffer.from(a.content ?? "", "utf8");
          blob = this.git(["hash-object", "-w", "--stdin"], { input: data });
        }
        this.git(["update-index", "--add", "--cacheinfo", `${mode},${blob},${path}`], { env });
      }
      const tree = this.git(["write-tree"], { env });
      const ident = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      return this.git(["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"], { input: message, env: ident });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** Smart-HTTP fetch/clone (upload-pack only) for `root/<ns>/<path>.git` via `git http-backend`. */
export function serveGit(req: IncomingMessage, res: ServerResponse, root: string, pathInfo: string, query: string): void {
  const service = new URLSearchParams(query).get("service");
  if (pathInfo.endsWith("/git-receive-pack") || service === "git-receive-pack") {
    res.writeHead(403, { "content-type": "text/plain" }).end("pushes are not served by the GitLab double");
    return;
  }
  const child = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: pathInfo,
      REQUEST_METHOD: req.method ?? "GET",
      QUERY_STRING: query,
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
      ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]) } : {}),
    },
  });
  req.pipe(child.stdin);
  let buf = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    buf = Buffer.concat([buf, chunk]);
    const crlf = buf.indexOf("\r\n\r\n");
    const lf = buf.indexOf("\n\n");
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const sepLen = end === crlf ? 4 : 2;
    const head = buf.subarray(0, end).toString("utf8");
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.split(/\r?\n/)) {
      const i = line.indexOf(":");
      if (i < 0) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === "status") status = Number.parseInt(v, 10);
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    headersDone = true;
    res.write(buf.subarray(end + sepLen));
  });
  child.on("close", () => res.end());
  child.on("error", () => {
    if (!res.headersSent) res.writeHead(500).end();
  });
}
