/**
 * An HTTP double of GitHub's commit statuses REST API on 127.0.0.1, following GitHub's documented
 * responses for `POST /repos/{owner}/{repo}/statuses/{sha}`: 201 with the status object; 401 "Bad
 * credentials" without a valid token; 404 "Not Found" for a repository that does not exist or the
 * token cannot see; 422 "Validation Failed" for a bad `state` and for a commit the repository does
 * not have ("No commit found for SHA"), and past 1000 statuses per SHA and context.
 * `GET /repos/{owner}/{repo}/commits/{ref}/statuses` lists them newest first.
 *
 * Test hooks: `addRepo` (with its commits), `addToken` (with the repositories it may write),
 * `received` (every status call, with its body and answer).
 */
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

const DOCS = "https://docs.github.com/rest/commits/statuses#create-a-commit-status";
const STATES = ["error", "failure", "pending", "success"];
const MAX_PER_CONTEXT = 1000;

export interface StatusCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  status: number;
}

export interface CommitStatus {
  id: number;
  node_id: string;
  url: string;
  state: string;
  description: string | null;
  target_url: string | null;
  context: string;
  created_at: string;
  updated_at: string;
  creator: { login: string; id: number; type: string };
}

interface Repo {
  commits: Set<string>;
  statuses: Map<string, CommitStatus[]>;
}

export class GithubDouble {
  url = "";
  readonly received: StatusCall[] = [];
  private server!: Server;
  private seq = 1000;
  private readonly repos = new Map<string, Repo>();
  private readonly tokens = new Map<string, Set<string>>();

  static async start(): Promise<GithubDouble> {
    const d = new GithubDouble();
    d.server = createServer((req, res) => {
      d.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `double: ${e instanceof Error ? e.message : e}` }));
      });
    });
    await new Promise<void>((resolve) => d.server.listen(0, "127.0.0.1", resolve));
    d.url = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}`;
    return d;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addRepo(fullName: string, commits: string[]): void {
    this.repos.set(fullName.toLowerCase(), { commits: new Set(commits), statuses: new Map() });
  }

  /** A token that may write statuses to `repos` (it authenticates, but sees no other repository). */
  addToken(repos: string[]): string {
    const t = `ghp_${randomBytes(18).toString("hex")}`;
    this.tokens.set(t, new Set(repos.map((r) => r.toLowerCase())));
    return t;
  }

  statuses(fullName: string, sha: string): CommitStatus[] {
    return [...(this.repos.get(fullName.toLowerCase())?.statuses.get(sha) ?? [])];
  }

  private send(res: ServerResponse, status: number, body: unknown): number {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-github-media-type": "github.v3" }).end(JSON.stringify(body));
    return status;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        this.send(res, 400, { message: "Problems parsing JSON", documentation_url: DOCS, status: "400" });
        return;
      }
    }
    const post = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/.exec(url.pathname);
    const list = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/.exec(url.pathname);
    const call: StatusCall = { method, path: url.pathname, body, status: 0 };
    if (post && method === "POST") this.received.push(call);
    call.status = this.answer(req, res, method, post ?? list, post !== null, body);
  }

  private answer(req: IncomingMessage, res: ServerResponse, method: string, m: RegExpExecArray | null, isPost: boolean, body: Record<string, unknown>): number {
    if (!m || (isPost && method !== "POST") || (!isPost && method !== "GET")) return this.send(res, 404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    const token = /^(?:token|Bearer) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const allowed = token ? this.tokens.get(token) : undefined;
    if (!allowed) return this.send(res, 401, { message: "Bad credentials", documentation_url: DOCS, status: "401" });
    const fullName = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`.toLowerCase();
    const repo = this.repos.get(fullName);
    if (!repo || !allowed.has(fullName)) return this.send(res, 404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    const sha = decodeURIComponent(m[3]!);
    if (!isPost) return this.send(res, 200, [...(repo.statuses.get(sha) ?? [])].reverse());
    if (typeof body.state !== "string" || !STATES.includes(body.state)) {
      return this.send(res, 422, { message: "Validation Failed", errors: [{ resource: "Status", code: "custom", field: "state", message: "state is not included in the list" }], documentation_url: DOCS, status: "422" });
    }
    if (!repo.commits.has(sha)) return this.send(res, 422, { message: `No commit found for SHA: ${sha}`, documentation_url: DOCS, status: "422" });
    const context = typeof body.context === "string" && body.context !== "" ? body.context : "default";
    const all = repo.statuses.get(sha) ?? [];
    if (all.filter((s) => s.context.toLowerCase() === context.toLowerCase()).length >= MAX_PER_CONTEXT) {
      return this.send(res, 422, { message: "Validation Failed", errors: [{ resource: "Status", code: "custom", message: `This SHA and context has reached the maximum number of statuses.` }], documentation_url: DOCS, status: "422" });
    }
    const now = new Date().toISOString();
    const id = this.seq++;
    const status: CommitStatus = {
      id,
      node_id: `SC_${Buffer.from(String(id)).toString("base64")}`,
      url: `${this.url}/repos/${fullName}/statuses/${sha}`,
      state: body.state,
      description: typeof body.description === "string" ? body.description : null,
      target_url: typeof body.target_url === "string" ? body.target_url : null,
      context,
      created_at: now,
      updated_at: now,
      creator: { login: "labfleet-lane", id: 1, type: "User" },
    };
    all.push(status);
    repo.statuses.set(sha, all);
    return this.send(res, 201, status);
  }
}
