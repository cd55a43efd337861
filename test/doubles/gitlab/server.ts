/**
 * An HTTP double of the GitLab REST v4 endpoints labfleet uses, on 127.0.0.1, following GitLab's
 * documented behaviour: status codes (200/201/202/204/400/401/403/404/409/422/429), error bodies
 * (`{"message": …}` / `{"error": …}`), offset pagination headers (x-page, x-per-page, x-total,
 * x-total-pages, x-next-page, x-prev-page, Link), project access tokens (create 201; rotate and
 * self-rotate 200 with the old token revoked at once and a one-week default expiry; rotating a
 * revoked token revokes its family; rotate of an unknown id 401, or 404 for an administrator;
 * revoke = DELETE 204, 404 when unknown or already revoked; tokens stop working on their
 * `expires_at` date), automatic protection of the
 * default branch on the first push (push/merge: Maintainers, GitLab's "fully protected" default),
 * 409 when protecting an already protected branch, the Free tier ignoring `allowed_to_*` on PATCH
 * (Premium: nested attributes with `id`/`_destroy`), and real git repositories (see git.ts).
 *
 * Runners: `PUT /runners/:id` pauses and resumes (`paused`, or the deprecated `active`) for a
 * Maintainer; an access token needs the `api` or `manage_runner` scope (403 insufficient_scope).
 *
 * Test hooks: `inject` (429 with Retry-After, 502 before or after applying a write), `requests`
 * (every call), and back doors (`addGroup`, `addMember`, `mutate…`) to simulate drift.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BareRepo, type CommitAction, GitError, serveGit } from "./git.ts";
import { type Group, Groups } from "./groups.ts";
import { Schedules } from "./schedules.ts";
import { Variables } from "./variables.ts";
import { HttpError, err, msg, notFound } from "./http.ts";

export interface DoubleOptions {
  /** "free" ignores allowed_to_* on protected-branch PATCH (as GitLab CE does). */
  tier?: "free" | "premium";
  /** Default page size (GitLab: 20). */
  perPage?: number;
  /** Send Link headers (GitLab does); false leaves only x-next-page. */
  linkHeader?: boolean;
  /** Protect the default branch on its first push (GitLab's default). */
  autoProtectDefaultBranch?: boolean;
  /** Instance default branch name for new projects. */
  defaultBranchName?: string;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: 429 | 500 | 502 | 503;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Retry-After seconds for 429. */
  retryAfter?: number;
  /** Apply the request, then answer with the fault (a lost response). */
  afterApply?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

interface User {
  id: number;
  username: string;
  name: string;
  bot: boolean;
  admin: boolean;
}

interface AccessLevelEntry {
  id: number;
  access_level: number;
  access_level_description: string;
  user_id: null;
  group_id: null;
}

interface ProtectedBranch {
  id: number;
  name: string;
  push_access_levels: AccessLevelEntry[];
  merge_access_levels: AccessLevelEntry[];
  unprotect_access_levels: AccessLevelEntry[];
  allow_force_push: boolean;
  code_owner_approval_required: boolean;
}

interface Project {
  id: number;
  name: string;
  path: string;
  description: string | null;
  namespace: Group;
  visibility: "private" | "internal" | "public";
  default_branch: string;
  created_at: string;
  repo: BareRepo;
  protectedBranches: ProtectedBranch[];
  members: Map<number, number>;
  mergeRequests: MergeRequest[];
}

interface AccessToken {
  id: number;
  projectId: number;
  family: number;
  name: string;
  description: string | null;
  scopes: string[];
  access_level: number;
  expires_at: string;
  created_at: string;
  active: boolean;
  revoked: boolean;
  user_id: number;
  secret: string;
}

interface Runner {
  id: number;
  projectId: number;
  description: string;
  tag_list: string[];
  run_untagged: boolean;
  locked: boolean;
  paused: boolean;
  maximum_timeout: number | null;
  access_level: string;
  secret: string;
}

interface MergeRequest {
  id: number;
  iid: number;
  title: string;
  source_branch: string;
  target_branch: string;
  state: "opened" | "merged" | "closed";
  remove_source_branch: boolean;
  merged_sha?: string;
}

type Identity = { user: User; token?: AccessToken };


export const LEVEL_NAMES: Record<number, string> = { 0: "No one", 30: "Developers + Maintainers", 40: "Maintainers", 60: "Admins" };
const VALID_REF_LEVELS = [0, 30, 40, 60];
const VALID_TOKEN_LEVELS = [10, 15, 20, 30, 40, 50];
const VALID_SCOPES = [
  "api",
  "read_api",
  "read_repository",
  "write_repository",
  "read_registry",
  "write_registry",
  "create_runner",
  "manage_runner",
  "self_rotate",
  "k8s_proxy",
  "ai_features",
];
const TOKEN_MAX_DAYS = 365;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "boolean") return v;
  return v === "true" || v === "1";
}

function list(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String);
  return String(v)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Query params (incl. `a[]=x` arrays and `a[][k]=v` hashes) merged with a JSON or form body, as Grape does. */
function collectParams(query: URLSearchParams, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of query) {
    const hash = /^([^[]+)\[\]\[([^\]]+)\]$/.exec(rawKey);
    if (hash) {
      out[hash[1]!] ??= [];
      const arr = out[hash[1]!] as Record<string, unknown>[];
      const last = arr[arr.length - 1];
      if (last && !(hash[2]! in last)) last[hash[2]!] = value;
      else arr.push({ [hash[2]!]: value });
      continue;
    }
    const arr = /^([^[]+)\[\]$/.exec(rawKey);
    if (arr) {
      out[arr[1]!] ??= [];
      (out[arr[1]!] as unknown[]).push(value);
      continue;
    }
    out[rawKey] = value;
  }
  return { ...out, ...body };
}

export class GitlabDouble {
  readonly requests: LoggedRequest[] = [];
  readonly adminToken: string;
  url = "";
  private server!: Server;
  private readonly root: string;
  private readonly opts: Required<DoubleOptions>;
  private seq = 100;
  private readonly users = new Map<number, User>();
  private readonly personalTokens = new Map<string, number>();
  readonly groups: Groups;
  /** Project CI/CD variables (`/projects/:id/variables`). */
  readonly variables = new Variables();
  /** Pipeline schedules (`/projects/:id/pipeline_schedules`). */
  readonly schedules = new Schedules(() => this.next());
  private readonly projects = new Map<number, Project>();
  private readonly tokens = new Map<number, AccessToken>();
  private readonly runners = new Map<number, Runner>();
  private faults: (Fault & { left: number })[] = [];
  private hooks: { method: string; path: RegExp; fn: () => void; left: number }[] = [];

  private constructor(opts: DoubleOptions) {
    this.opts = {
      tier: opts.tier ?? "free",
      perPage: opts.perPage ?? 20,
      linkHeader: opts.linkHeader ?? true,
      autoProtectDefaultBranch: opts.autoProtectDefaultBranch ?? true,
      defaultBranchName: opts.defaultBranchName ?? "main",
    };
    this.root = mkdtempSync(join(tmpdir(), "gl-double-"));
    this.groups = new Groups(
      () => this.next(),
      () => this.url,
      (groupId) =>
        [...this.projects.values()]
          .filter((p) => p.namespace.id === groupId)
          .map((p) => ({ id: p.id, path: p.path, path_with_namespace: this.fullPath(p) })),
    );
    const admin = this.addUser("labfleet-admin", { admin: true });
    this.adminToken = `glpat-${randomBytes(10).toString("hex")}`;
    this.personalTokens.set(this.adminToken, admin.id);
  }

  static async start(opts: DoubleOptions = {}): Promise<GitlabDouble> {
    const d = new GitlabDouble(opts);
    d.server = createServer((req, res) => {
      d.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `500 Internal Server Error: ${e instanceof Error ? e.message : e}` }));
      });
    });
    await new Promise<void>((resolve) => d.server.listen(0, "127.0.0.1", resolve));
    d.url = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}`;
    return d;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.root, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- back doors for tests

  addUser(username: string, extra: Partial<User> = {}): User {
    const user: User = { id: this.next(), username, name: username, bot: false, admin: false, ...extra };
    this.users.set(user.id, user);
    return user;
  }

  /** A personal access token for `userId` (e.g. a human with limited rights). */
  addPersonalToken(userId: number): string {
    const t = `glpat-${randomBytes(10).toString("hex")}`;
    this.personalTokens.set(t, userId);
    return t;
  }

  /** The group and any missing parent groups (private). */
  addGroup(fullPath: string): Group {
    return this.groups.add(fullPath);
  }

  addGroupMember(groupId: number, userId: number, level: number): void {
    this.groups.addMember(groupId, userId, level);
  }

  addMember(projectId: number, userId: number, level: number): void {
    this.project(projectId).members.set(userId, level);
  }

  removeMember(projectId: number, userId: number): void {
    this.project(projectId).members.delete(userId);
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
    this.hooks = [];
  }

  /** Runs `fn` just before the next matching request is handled (e.g. to stage a race). */
  before(method: string, path: RegExp, fn: () => void, times = 1): void {
    this.hooks.push({ method, path, fn, left: times });
  }

  projectByPath(fullPath: string) {
    return [...this.projects.values()].find((p) => this.fullPath(p) === fullPath);
  }

  mutateProject(id: number, change: Partial<Pick<Project, "visibility" | "default_branch" | "description">>): void {
    Object.assign(this.project(id), change);
  }

  /** Simulates someone editing protection in the UI. */
  setProtection(projectId: number, name: string, push: number, merge: number): void {
    const p = this.project(projectId);
    p.protectedBranches = p.protectedBranches.filter((b) => b.name !== name);
    p.protectedBranches.push(this.newProtection(name, push, merge, false));
  }

  unprotect(projectId: number, name: string): void {
    const p = this.project(projectId);
    p.protectedBranches = p.protectedBranches.filter((b) => b.name !== name);
  }

  accessTokens(projectId: number): Omit<AccessToken, "secret">[] {
    return [...this.tokens.values()].filter((t) => t.projectId === projectId).map(({ secret: _s, ...t }) => t);
  }

  setTokenExpiry(tokenId: number, expiresAt: string): void {
    this.tokens.get(tokenId)!.expires_at = expiresAt;
  }

  revokeToken(tokenId: number): void {
    const t = this.tokens.get(tokenId)!;
    t.active = false;
    t.revoked = true;
  }

  runnerList(projectId?: number): Omit<Runner, "secret">[] {
    return [...this.runners.values()].filter((r) => projectId === undefined || r.projectId === projectId).map(({ secret: _s, ...r }) => r);
  }

  mutateRunner(id: number, change: Partial<Pick<Runner, "tag_list" | "run_untagged" | "locked" | "maximum_timeout" | "paused">>): void {
    Object.assign(this.runners.get(id)!, change);
  }

  /** Whether `secret` currently authenticates as a runner (the runner's current token). */
  runnerTokenValid(secret: string): boolean {
    return [...this.runners.values()].some((r) => r.secret === secret);
  }

  tokenValid(secret: string): boolean {
    return this.identify(secret) !== null;
  }

  repo(projectId: number): BareRepo {
    return this.project(projectId).repo;
  }

  protections(projectId: number): ProtectedBranch[] {
    return structuredClone(this.project(projectId).protectedBranches);
  }

  /** Counts requests matching method and path. */
  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  // ---------------------------------------------------------------- plumbing

  private next(): number {
    return ++this.seq;
  }

  private fullPath(p: Project): string {
    return `${p.namespace.full_path}/${p.path}`;
  }

  private project(id: number | string): Project {
    const p =
      typeof id === "number" || /^\d+$/.test(id) ? this.projects.get(Number(id)) : [...this.projects.values()].find((x) => this.fullPath(x) === id);
    if (!p) throw notFound("Project");
    return p;
  }

  private identify(secret: string | undefined): Identity | null {
    if (!secret) return null;
    const uid = this.personalTokens.get(secret);
    if (uid !== undefined) return { user: this.users.get(uid)! };
    const t = [...this.tokens.values()].find((x) => x.secret === secret);
    if (!t?.active || t.revoked || t.expires_at <= today()) return null;
    return { user: this.users.get(t.user_id)!, token: t };
  }

  /** Effective access level of a user on a project (direct or inherited from the group). */
  private levelOn(user: User, p: Project): number {
    if (user.admin) return 60;
    const direct = p.members.get(user.id) ?? 0;
    const inherited = this.groups.level(user.id, p.namespace);
    return Math.max(direct, inherited);
  }

  private readable(who: Identity, p: Project): Project {
    if (this.levelOn(who.user, p) >= 10 || p.visibility === "public" || (p.visibility === "internal" && !who.user.bot)) return p;
    throw notFound("Project");
  }

  private admin(who: Identity, p: Project, min = 40): Project {
    this.readable(who, p);
    if (this.levelOn(who.user, p) < min) throw msg(403, "403 Forbidden");
    return p;
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
    if (status === 204) {
      res.writeHead(204, headers).end();
      return 204;
    }
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    return status;
  }

  private paginate<T>(req: { url: URL }, items: T[]): { body: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get("per_page") ?? this.opts.perPage)));
    const page = Math.max(1, Number(req.url.searchParams.get("page") ?? 1));
    const total = items.length;
    const totalPages = Math.max(1, Math.ceil(total / perPage));
    const body = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {
      "x-page": String(page),
      "x-per-page": String(perPage),
      "x-total": String(total),
      "x-total-pages": String(totalPages),
      "x-next-page": page < totalPages ? String(page + 1) : "",
      "x-prev-page": page > 1 ? String(page - 1) : "",
    };
    if (this.opts.linkHeader) {
      const link = (n: number, rel: string) => {
        const u = new URL(req.url);
        u.searchParams.set("page", String(n));
        u.searchParams.set("per_page", String(perPage));
        return `<${u.toString()}>; rel="${rel}"`;
      };
      const parts = [];
      if (page > 1) parts.push(link(page - 1, "prev"));
      if (page < totalPages) parts.push(link(page + 1, "next"));
      parts.push(link(1, "first"), link(totalPages, "last"));
      headers.link = parts.join(", ");
    }
    return { body, headers };
  }

  private async readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (!text) return {};
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
    if (type === "application/json") {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw msg(400, "400 Bad request - invalid JSON");
      }
    }
    if (type === "application/x-www-form-urlencoded") return collectParams(new URLSearchParams(text), {});
    return {};
  }

  private takeFault(method: string, path: string): (Fault & { left: number }) | undefined {
    const f = this.faults.find((x) => x.left > 0 && x.method === method && x.path.test(path));
    if (f) f.left--;
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const decodedPath = url.pathname
      .split("/")
      .map((s) => decodeURIComponent(s))
      .join("/");
    const log: LoggedRequest = { method, path: decodedPath, query: url.search, status: 0 };
    this.requests.push(log);

    if (!url.pathname.startsWith("/api/v4/")) {
      log.status = this.git(req, res, url);
      return;
    }
    const hook = this.hooks.find((h) => h.left > 0 && h.method === method && h.path.test(decodedPath));
    if (hook) {
      hook.left--;
      hook.fn();
    }
    const fault = this.takeFault(method, decodedPath);
    if (fault && !fault.afterApply) {
      log.status = this.fault(res, fault);
      return;
    }
    let status: number;
    let body: unknown;
    let headers: Record<string, string> = {};
    try {
      const secret = (req.headers["private-token"] as string | undefined) ?? /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const who = this.identify(secret);
      if (!who) throw msg(401, "401 Unauthorized");
      const segments = url.pathname.slice("/api/v4/".length).split("/").map(decodeURIComponent);
      const params = collectParams(url.searchParams, await this.readBody(req));
      ({ status, body, headers = {} } = this.route(method, segments, params, who, { url }));
    } catch (e) {
      if (e instanceof HttpError) ({ status, body } = e);
      else if (e instanceof GitError) ({ status, body } = { status: e.status, body: { message: e.message } });
      else throw e;
    }
    if (fault) {
      log.status = this.fault(res, fault);
      return;
    }
    log.status = this.json(res, status, body, headers);
  }

  private fault(res: ServerResponse, f: Fault): number {
    if (f.status === 429) {
      return this.json(res, 429, { message: "Retry later" }, { "retry-after": String(f.retryAfter ?? 1), "ratelimit-limit": "600", "ratelimit-remaining": "0" });
    }
    res.writeHead(f.status, { "content-type": "text/html" }).end(`<html><body><h1>${f.status}</h1></body></html>`);
    return f.status;
  }

  private git(req: IncomingMessage, res: ServerResponse, url: URL): number {
    const m = /^\/(.+)\.git(\/.*)$/.exec(url.pathname);
    const p = m ? [...this.projects.values()].find((x) => this.fullPath(x) === m[1]) : undefined;
    if (!m || !p) {
      res.writeHead(404).end();
      return 404;
    }
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const password = basic ? Buffer.from(basic, "base64").toString("utf8").split(":").slice(1).join(":") : undefined;
    const who = this.identify(password);
    let allowed = p.visibility === "public";
    if (who) {
      try {
        this.readable(who, p);
        allowed = true;
      } catch {
        allowed = false;
      }
    }
    if (!allowed) {
      // GitLab answers 401 with a challenge both for no credentials and for no access.
      res.writeHead(401, { "www-authenticate": 'Basic realm="GitLab"' }).end("HTTP Basic: Access denied");
      return 401;
    }
    serveGit(req, res, this.root, `/${m[1]}.git${m[2]}`, url.search.slice(1));
    return 200;
  }

  // ---------------------------------------------------------------- routes

  private route(
    method: string,
    s: string[],
    q: Record<string, unknown>,
    who: Identity,
    req: { url: URL },
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const ok = (body: unknown, status = 200) => ({ status, body });
    const page = <T>(items: T[]) => {
      const p = this.paginate(req, items);
      return { status: 200, body: p.body, headers: p.headers };
    };
    if (method === "GET" && s.length === 1 && s[0] === "user") return ok(this.userJson(who.user));
    if (method === "POST" && s.join("/") === "user/runners") return ok(this.createRunner(q, who), 201);
    if (s[0] === "users" && s.length === 2 && method === "GET") {
      const u = this.users.get(Number(s[1]));
      if (!u) throw notFound("User");
      return ok(this.userJson(u));
    }
    if (s[0] === "namespaces" || s[0] === "groups") {
      const caller = { id: who.user.id, admin: who.user.admin, bot: who.user.bot, canCreateGroup: !who.user.bot };
      return this.groups.route(method, s, q, caller, page, (groupId) => {
        for (const p of [...this.projects.values()].filter((x) => x.namespace.id === groupId)) {
          this.deleteProject(p);
          this.projects.delete(p.id);
        }
      });
    }
    if (s[0] === "runners") return this.runnerRoutes(method, s, q, who);
    if (s[0] !== "projects") throw notFound("");

    if (s.length === 1) {
      if (method === "POST") return ok(this.projectJson(this.createProject(q, who)), 201);
      throw msg(405, "405 Method Not Allowed");
    }
    const p = this.project(s[1]!);
    const rest = s.slice(2);
    const r = rest.join("/");
    if (rest.length === 0) {
      if (method === "GET") return ok(this.projectJson(this.readable(who, p)));
      if (method === "PUT") return ok(this.projectJson(this.editProject(this.admin(who, p), q)));
      if (method === "DELETE") {
        this.admin(who, p, 50);
        this.deleteProject(p);
        return ok({ message: "202 Accepted" }, 202);
      }
    }
    // protected branches
    if (rest[0] === "protected_branches") {
      this.admin(who, p);
      if (rest.length === 1 && method === "GET") return page(p.protectedBranches);
      if (rest.length === 1 && method === "POST") return ok(this.protect(p, q), 201);
      const name = rest.slice(1).join("/");
      const pb = p.protectedBranches.find((b) => b.name === name);
      if (method === "GET") {
        if (!pb) throw notFound("Protected Branch");
        return ok(pb);
      }
      if (method === "PATCH") {
        if (!pb) throw notFound("Protected Branch");
        return ok(this.patchProtection(pb, q));
      }
      if (method === "DELETE") {
        if (!pb) throw notFound("Protected Branch");
        p.protectedBranches = p.protectedBranches.filter((b) => b !== pb);
        return ok(null, 204);
      }
    }
    // access tokens
    if (rest[0] === "access_tokens") {
      if (rest[1] === "self" && rest[2] === "rotate" && rest.length === 3 && method === "POST") return ok(this.selfRotate(p, who, q), 200);
      this.admin(who, p);
      if (who.token) throw msg(403, "403 Forbidden - project access tokens cannot manage access tokens");
      if (rest.length === 1 && method === "GET") {
        const state = q.state as string | undefined;
        const all = [...this.tokens.values()].filter((t) => t.projectId === p.id && (!state || (state === "active") === t.active));
        return page(all.map((t) => this.tokenJson(t)));
      }
      if (rest.length === 1 && method === "POST") return ok(this.createToken(p, q), 201);
      const t = this.tokens.get(Number(rest[1]));
      if (!t || t.projectId !== p.id) {
        // rotate: 404 for an administrator, 401 for anyone else (GitLab's documented answers)
        if (rest[2] === "rotate") throw who.user.admin ? notFound("Token") : msg(401, "401 Unauthorized");
        throw notFound("Token");
      }
      if (rest.length === 2 && method === "GET") return ok(this.tokenJson(t));
      if (rest.length === 2 && method === "DELETE") {
        // a revoked token's bot user is gone with it: revoking again finds nothing
        if (t.revoked) throw notFound("Token");
        this.revoke(t);
        return ok(null, 204);
      }
      if (rest.length === 3 && rest[2] === "rotate" && method === "POST") return ok(this.rotate(t, q), 200);
    }
    // members
    if (rest[0] === "members" && rest[1] === "all") {
      this.readable(who, p);
      const levels = this.memberLevels(p);
      if (rest.length === 2 && method === "GET") return page([...levels].map(([uid, lvl]) => this.memberJson(uid, lvl)));
      if (rest.length === 3 && method === "GET") {
        const lvl = levels.get(Number(rest[2]));
        if (lvl === undefined) throw notFound("Member");
        return ok(this.memberJson(Number(rest[2]), lvl));
      }
    }
    // runners of a project
    if (r === "runners" && method === "GET") {
      this.admin(who, p);
      const type = q.type as string | undefined;
      const tags = list(q.tag_list);
      const found = [...this.runners.values()].filter(
        (x) => x.projectId === p.id && (!type || type === "project_type") && (!tags || tags.every((t) => x.tag_list.includes(t))),
      );
      return page(found.map((x) => this.runnerSummary(x)));
    }
    // CI/CD variables
    if (rest[0] === "variables") return this.variables.route(this.admin(who, p).id, method, rest.slice(1), q, page);
    if (rest[0] === "pipeline_schedules") return this.schedules.route(this.admin(who, p).id, method, rest.slice(1), q, page);
    // repository
    if (rest[0] === "repository") return this.repositoryRoutes(method, p, rest.slice(1), q, who, page);
    if (rest[0] === "merge_requests") return this.mergeRequestRoutes(method, p, rest.slice(1), q, who, page);
    throw notFound("");
  }

  // ---------------------------------------------------------------- projects

  private projectJson(p: Project) {
    const full = this.fullPath(p);
    return {
      id: p.id,
      name: p.name,
      path: p.path,
      description: p.description,
      path_with_namespace: full,
      name_with_namespace: `${p.namespace.name} / ${p.name}`,
      namespace: { id: p.namespace.id, name: p.namespace.name, path: p.namespace.path, kind: "group", full_path: p.namespace.full_path },
      visibility: p.visibility,
      default_branch: p.default_branch,
      empty_repo: p.repo.isEmpty(),
      archived: false,
      created_at: p.created_at,
      http_url_to_repo: `${this.url}/${full}.git`,
      ssh_url_to_repo: `git@127.0.0.1:${full}.git`,
      web_url: `${this.url}/${full}`,
    };
  }

  private createProject(q: Record<string, unknown>, who: Identity): Project {
    const name = (q.name as string | undefined) ?? (q.path as string | undefined);
    const path = (q.path as string | undefined) ?? name?.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-");
    if (!name || !path) throw err(400, "name, path are missing, at least one parameter must be provided");
    const ns = this.groups.byId.get(Number(q.namespace_id));
    if (!ns) throw msg(404, "404 Namespace Not Found");
    if (!who.user.admin && this.groups.level(who.user.id, ns) < 40) throw msg(403, "403 Forbidden");
    const visibility = (q.visibility as string | undefined) ?? "private";
    if (!["private", "internal", "public"].includes(visibility)) throw err(400, "visibility does not have a valid value");
    // projects and subgroups share routes: a subgroup with this path takes it too
    const taken =
      [...this.projects.values()].some((x) => x.namespace.id === ns.id && (x.path === path || x.name === name)) ||
      this.groups.find(`${ns.full_path}/${path}`) !== undefined;
    if (taken) throw msg(400, { name: ["has already been taken"], path: ["has already been taken"] });
    const defaultBranch = (q.default_branch as string | undefined) ?? this.opts.defaultBranchName;
    const id = this.next();
    const p: Project = {
      id,
      name,
      path,
      description: (q.description as string | undefined) ?? null,
      namespace: ns,
      visibility: visibility as Project["visibility"],
      default_branch: defaultBranch,
      created_at: new Date().toISOString(),
      repo: BareRepo.init(join(this.root, ns.full_path, `${path}.git`), defaultBranch),
      protectedBranches: [],
      members: new Map([[who.user.id, 50]]),
      mergeRequests: [],
    };
    this.projects.set(id, p);
    if (bool(q.initialize_with_readme)) {
      this.commit(p, who, { branch: defaultBranch, commit_message: "Initial commit", actions: [{ action: "create", file_path: "README.md", content: `# ${name}\n` }] });
    }
    return p;
  }

  private editProject(p: Project, q: Record<string, unknown>): Project {
    if (q.visibility !== undefined) {
      if (!["private", "internal", "public"].includes(String(q.visibility))) throw err(400, "visibility does not have a valid value");
      p.visibility = q.visibility as Project["visibility"];
    }
    if (q.default_branch !== undefined) {
      const b = String(q.default_branch);
      if (!p.repo.isEmpty() && !p.repo.head(b)) throw msg(400, { base: [`Could not change HEAD: branch '${b}' does not exist`] });
      p.default_branch = b;
      if (p.repo.head(b)) p.repo.setHead(b);
    }
    if (q.description !== undefined) p.description = String(q.description);
    if (q.name !== undefined) p.name = String(q.name);
    return p;
  }

  private deleteProject(p: Project): void {
    for (const t of this.tokens.values()) if (t.projectId === p.id) this.revoke(t);
    for (const r of [...this.runners.values()]) if (r.projectId === p.id) this.runners.delete(r.id);
    this.variables.forget(p.id);
    this.schedules.forget(p.id);
    this.projects.delete(p.id);
    rmSync(p.repo.dir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- protected branches

  private level(level: number): AccessLevelEntry {
    return { id: this.next(), access_level: level, access_level_description: LEVEL_NAMES[level] ?? String(level), user_id: null, group_id: null };
  }

  private newProtection(name: string, push: number, merge: number, force: boolean): ProtectedBranch {
    return {
      id: this.next(),
      name,
      push_access_levels: [this.level(push)],
      merge_access_levels: [this.level(merge)],
      unprotect_access_levels: [this.level(40)],
      allow_force_push: force,
      code_owner_approval_required: false,
    };
  }

  private refLevel(q: Record<string, unknown>, key: string): number {
    if (q[key] === undefined) return 40;
    const v = Number(q[key]);
    if (!VALID_REF_LEVELS.includes(v)) throw err(400, `${key} does not have a valid value`);
    return v;
  }

  private protect(p: Project, q: Record<string, unknown>): ProtectedBranch {
    const name = q.name as string | undefined;
    if (!name) throw err(422, "name is missing");
    if (p.protectedBranches.some((b) => b.name === name)) throw msg(409, `Protected branch '${name}' already exists`);
    const pb = this.newProtection(name, this.refLevel(q, "push_access_level"), this.refLevel(q, "merge_access_level"), bool(q.allow_force_push) ?? false);
    if (this.opts.tier === "premium") {
      for (const [k, field] of [
        ["allowed_to_push", "push_access_levels"],
        ["allowed_to_merge", "merge_access_levels"],
      ] as const) {
        const entries = q[k] as { access_level?: unknown }[] | undefined;
        if (entries?.length) pb[field] = entries.map((e) => this.level(Number(e.access_level)));
      }
    }
    p.protectedBranches.push(pb);
    return pb;
  }

  private patchProtection(pb: ProtectedBranch, q: Record<string, unknown>): ProtectedBranch {
    const force = bool(q.allow_force_push);
    if (force !== undefined) pb.allow_force_push = force;
    if (this.opts.tier !== "premium") return pb; // CE: allowed_to_* are EE-only params, dropped by Grape
    for (const [k, field] of [
      ["allowed_to_push", "push_access_levels"],
      ["allowed_to_merge", "merge_access_levels"],
      ["allowed_to_unprotect", "unprotect_access_levels"],
    ] as const) {
      const entries = q[k] as { id?: unknown; access_level?: unknown; _destroy?: unknown }[] | undefined;
      if (!entries) continue;
      for (const e of entries) {
        if (e.id !== undefined) {
          const existing = pb[field].find((x) => x.id === Number(e.id));
          if (!existing) throw msg(404, "404 Access Level Not Found");
          if (bool(e._destroy)) pb[field] = pb[field].filter((x) => x !== existing);
          else if (e.access_level !== undefined) Object.assign(existing, this.level(Number(e.access_level)), { id: existing.id });
          continue;
        }
        const lvl = Number(e.access_level);
        if (!VALID_REF_LEVELS.includes(lvl)) throw err(400, `${k} does not have a valid value`);
        if (pb[field].some((x) => x.access_level === lvl)) throw msg(422, [`${field.replace(/_/g, " ")} access level has already been taken`]);
        pb[field].push(this.level(lvl));
      }
    }
    return pb;
  }

  private canPush(who: Identity, p: Project, branch: string): boolean {
    const pb = p.protectedBranches.find((b) => b.name === branch);
    const lvl = this.levelOn(who.user, p);
    if (!pb) return lvl >= 30;
    const allowed = (entries: AccessLevelEntry[]) => entries.some((e) => e.access_level !== 0 && lvl >= Math.min(e.access_level, 50));
    if (!p.repo.head(branch)) return allowed(pb.push_access_levels) || allowed(pb.merge_access_levels);
    return allowed(pb.push_access_levels);
  }

  private canMerge(who: Identity, p: Project, branch: string): boolean {
    const pb = p.protectedBranches.find((b) => b.name === branch);
    const lvl = this.levelOn(who.user, p);
    if (!pb) return lvl >= 30;
    return pb.merge_access_levels.some((e) => e.access_level !== 0 && lvl >= Math.min(e.access_level, 50));
  }

  // ---------------------------------------------------------------- access tokens

  private tokenJson(t: AccessToken, withSecret = false) {
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      scopes: t.scopes,
      access_level: t.access_level,
      expires_at: t.expires_at,
      created_at: t.created_at,
      last_used_at: null,
      active: t.active && t.expires_at > today(),
      revoked: t.revoked,
      user_id: t.user_id,
      ...(withSecret ? { token: t.secret } : {}),
    };
  }

  private expiry(q: Record<string, unknown>, fallbackDays?: number): string {
    const raw = q.expires_at as string | undefined;
    if (raw === undefined) {
      if (fallbackDays === undefined) throw err(400, "expires_at is missing");
      return new Date(Date.now() + fallbackDays * 86_400_000).toISOString().slice(0, 10);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw err(400, "expires_at is invalid");
    const max = new Date(Date.now() + TOKEN_MAX_DAYS * 86_400_000).toISOString().slice(0, 10);
    if (raw <= today()) throw msg(400, "Expiration date must be in the future");
    if (raw > max) throw msg(400, `Expiration date must be before ${max}`);
    return raw;
  }

  private createToken(p: Project, q: Record<string, unknown>) {
    const name = q.name as string | undefined;
    if (!name) throw err(400, "name is missing");
    const scopes = list(q.scopes);
    if (!scopes?.length) throw err(400, "scopes is missing");
    if (scopes.some((s) => !VALID_SCOPES.includes(s))) throw err(400, "scopes does not have a valid value");
    const level = q.access_level === undefined ? 40 : Number(q.access_level);
    if (!VALID_TOKEN_LEVELS.includes(level)) throw err(400, "access_level does not have a valid value");
    const expires = this.expiry(q);
    const bot = this.addUser(`project_${p.id}_bot_${randomBytes(4).toString("hex")}`, { bot: true, name: name });
    p.members.set(bot.id, level);
    const id = this.next();
    const t: AccessToken = {
      id,
      projectId: p.id,
      family: id,
      name,
      description: (q.description as string | undefined) ?? null,
      scopes,
      access_level: level,
      expires_at: expires,
      created_at: new Date().toISOString(),
      active: true,
      revoked: false,
      user_id: bot.id,
      secret: `glpat-${randomBytes(12).toString("base64url")}`,
    };
    this.tokens.set(id, t);
    return this.tokenJson(t, true);
  }

  private rotate(t: AccessToken, q: Record<string, unknown>) {
    if (t.revoked) {
      // automatic reuse detection: rotating a revoked token revokes its whole family
      for (const x of this.tokens.values()) if (x.family === t.family) this.revoke(x, false);
      throw msg(401, "401 Unauthorized");
    }
    if (!t.active || t.expires_at <= today()) throw msg(401, "401 Unauthorized");
    const expires = this.expiry(q, 7);
    t.active = false;
    t.revoked = true;
    const id = this.next();
    const n: AccessToken = { ...t, id, expires_at: expires, created_at: new Date().toISOString(), active: true, revoked: false, secret: `glpat-${randomBytes(12).toString("base64url")}` };
    this.tokens.set(id, n);
    return this.tokenJson(n, true);
  }

  /**
   * `POST /projects/:id/access_tokens/self/rotate`: the project access token in the request rotates
   * itself (it needs `api` or `self_rotate`); 401 invalid token, 403 missing scope, 405 not a
   * project access token of this project.
   */
  private selfRotate(p: Project, who: Identity, q: Record<string, unknown>) {
    if (!who.token || who.token.projectId !== p.id) throw msg(405, "405 Method Not Allowed");
    if (!who.token.scopes.some((s) => s === "api" || s === "self_rotate")) throw msg(403, "403 Forbidden - insufficient_scope");
    return this.rotate(who.token, q);
  }

  private revoke(t: AccessToken, dropMembership = true): void {
    t.active = false;
    t.revoked = true;
    const stillActive = [...this.tokens.values()].some((x) => x.user_id === t.user_id && x.active);
    if (dropMembership && !stillActive) this.projects.get(t.projectId)?.members.delete(t.user_id);
  }

  // ---------------------------------------------------------------- users, members

  private userJson(u: User) {
    return { id: u.id, username: u.username, name: u.name, state: "active", bot: u.bot, is_admin: u.admin, web_url: `${this.url}/${u.username}` };
  }

  private memberLevels(p: Project): Map<number, number> {
    const out = new Map(this.groups.memberLevels(p.namespace));
    for (const [uid, lvl] of p.members) out.set(uid, Math.max(lvl, out.get(uid) ?? 0));
    return out;
  }

  private memberJson(uid: number, level: number) {
    const u = this.users.get(uid)!;
    return { id: u.id, username: u.username, name: u.name, state: "active", access_level: level };
  }

  // ---------------------------------------------------------------- runners

  private runnerSummary(r: Runner) {
    return {
      id: r.id,
      description: r.description,
      active: !r.paused,
      paused: r.paused,
      is_shared: false,
      runner_type: "project_type",
      name: null,
      online: false,
      status: "never_contacted",
    };
  }

  private runnerJson(r: Runner) {
    const p = this.projects.get(r.projectId);
    return {
      ...this.runnerSummary(r),
      tag_list: r.tag_list,
      run_untagged: r.run_untagged,
      locked: r.locked,
      maximum_timeout: r.maximum_timeout,
      access_level: r.access_level,
      projects: p ? [{ id: p.id, name: p.name, path: p.path, path_with_namespace: this.fullPath(p) }] : [],
    };
  }

  private runnerSettings(r: Runner, q: Record<string, unknown>): void {
    if (q.description !== undefined) r.description = String(q.description);
    const tags = list(q.tag_list);
    if (tags) r.tag_list = tags;
    r.run_untagged = bool(q.run_untagged) ?? r.run_untagged;
    r.locked = bool(q.locked) ?? r.locked;
    // `active` is the deprecated inverse of `paused` (GitLab still accepts it; paused wins)
    const active = bool(q.active);
    r.paused = bool(q.paused) ?? (active === undefined ? r.paused : !active);
    if (q.access_level !== undefined) {
      if (!["not_protected", "ref_protected"].includes(String(q.access_level))) throw err(400, "access_level does not have a valid value");
      r.access_level = String(q.access_level);
    }
    if (q.maximum_timeout !== undefined && q.maximum_timeout !== null) {
      const t = Number(q.maximum_timeout);
      if (!Number.isInteger(t) || t < 600) throw msg(400, { maximum_timeout: ["needs to be at least 10 minutes"] });
      r.maximum_timeout = t;
    }
  }

  private createRunner(q: Record<string, unknown>, who: Identity) {
    const type = q.runner_type as string | undefined;
    if (!type) throw err(400, "runner_type is missing");
    if (type !== "project_type") throw err(400, "runner_type does not have a valid value for this double (project_type only)");
    if (q.project_id === undefined) throw err(400, "project_id is missing");
    const p = this.project(Number(q.project_id));
    this.admin(who, p);
    if (who.token && !who.token.scopes.some((s) => s === "api" || s === "create_runner")) throw msg(403, "403 Forbidden - insufficient_scope");
    const r: Runner = {
      id: this.next(),
      projectId: p.id,
      description: "",
      tag_list: [],
      run_untagged: true,
      locked: false,
      paused: false,
      maximum_timeout: null,
      access_level: "not_protected",
      secret: `glrt-${randomBytes(12).toString("base64url")}`,
    };
    this.runnerSettings(r, q);
    this.runners.set(r.id, r);
    return { id: r.id, token: r.secret, token_expires_at: null };
  }

  private runnerRoutes(method: string, s: string[], q: Record<string, unknown>, who: Identity) {
    const r = this.runners.get(Number(s[1]));
    if (!r) throw msg(404, "404 Runner Not Found");
    const p = this.projects.get(r.projectId);
    if (!p) throw msg(404, "404 Runner Not Found");
    this.admin(who, p);
    if (s.length === 2 && method === "GET") return { status: 200, body: this.runnerJson(r) };
    // writes (pause/resume, settings, delete, token reset): a token needs api or manage_runner
    if (who.token && !who.token.scopes.some((x) => x === "api" || x === "manage_runner")) throw msg(403, "403 Forbidden - insufficient_scope");
    if (s.length === 2 && method === "PUT") {
      this.runnerSettings(r, q);
      return { status: 200, body: this.runnerJson(r) };
    }
    if (s.length === 2 && method === "DELETE") {
      this.runners.delete(r.id);
      return { status: 204, body: null };
    }
    if (s.length === 3 && s[2] === "reset_authentication_token" && method === "POST") {
      r.secret = `glrt-${randomBytes(12).toString("base64url")}`;
      return { status: 201, body: { token: r.secret, token_expires_at: null } };
    }
    throw notFound("");
  }

  // ---------------------------------------------------------------- repository

  private commit(p: Project, who: Identity, q: Record<string, unknown>) {
    const branch = q.branch as string | undefined;
    const message = q.commit_message as string | undefined;
    const actions = q.actions as CommitAction[] | undefined;
    if (!branch) throw err(400, "branch is missing");
    if (!message) throw err(400, "commit_message is missing");
    if (!actions?.length) throw err(400, "actions is missing");
    const wasEmpty = p.repo.isEmpty();
    const head = p.repo.head(branch);
    let parent = head;
    if (!head && !wasEmpty) {
      const start = q.start_branch as string | undefined;
      if (!start) throw msg(400, "You can only create or edit files when you are on a branch");
      parent = p.repo.head(start);
      if (!parent) throw msg(400, `Invalid reference name: ${start}`);
    }
    if (!this.canPush(who, p, branch)) throw msg(403, "You are not allowed to push into this branch");
    const sha = p.repo.commit(parent, actions, message, { name: who.user.name, email: `${who.user.username}@double.invalid` });
    p.repo.updateRef(branch, sha, head);
    if (wasEmpty) {
      // GitLab: the first branch pushed to an empty repository becomes the default branch,
      // and the default branch is protected on that first push (instance default "fully protected").
      p.default_branch = branch;
      p.repo.setHead(branch);
      if (this.opts.autoProtectDefaultBranch && !p.protectedBranches.some((b) => b.name === branch)) {
        p.protectedBranches.push(this.newProtection(branch, 40, 40, false));
      }
    }
    const info = p.repo.commitInfo(sha);
    return { ...info, short_id: sha.slice(0, 8), created_at: info.committed_date, web_url: `${this.url}/${this.fullPath(p)}/-/commit/${sha}` };
  }

  private repositoryRoutes(
    method: string,
    p: Project,
    rest: string[],
    q: Record<string, unknown>,
    who: Identity,
    page: <T>(items: T[]) => { status: number; body: unknown; headers?: Record<string, string> },
  ) {
    if (rest[0] === "commits" && rest.length === 1 && method === "POST") {
      this.readable(who, p);
      if (this.levelOn(who.user, p) < 30) throw msg(403, "403 Forbidden");
      return { status: 201, body: this.commit(p, who, q) };
    }
    this.readable(who, p);
    if (rest[0] === "commits" && rest.length === 1 && method === "GET") {
      const ref = (q.ref_name as string | undefined) ?? p.default_branch;
      return page(p.repo.log(ref).map((c) => ({ ...c, short_id: c.id.slice(0, 8), created_at: c.committed_date })));
    }
    if (rest[0] === "files" && rest.length === 2 && method === "GET") {
      const ref = q.ref as string | undefined;
      if (!ref) throw err(400, "ref is missing");
      const f = p.repo.readFile(ref, rest[1]!);
      if (!f) throw notFound("File");
      const sha = p.repo.head(ref) ?? ref;
      return {
        status: 200,
        body: {
          file_name: rest[1]!.split("/").at(-1),
          file_path: rest[1],
          size: f.content.length,
          encoding: "base64",
          content: f.content.toString("base64"),
          content_sha256: createHash("sha256").update(f.content).digest("hex"),
          ref,
          blob_id: f.blobId,
          commit_id: sha,
          last_commit_id: p.repo.lastCommitFor(ref, rest[1]!),
          execute_filemode: f.mode === "100755",
        },
      };
    }
    if (rest[0] === "branches" && rest.length >= 2) {
      const name = rest.slice(1).join("/");
      const sha = p.repo.head(name);
      if (!sha) throw notFound("Branch");
      if (method === "GET") {
        return {
          status: 200,
          body: { name, commit: p.repo.commitInfo(sha), protected: p.protectedBranches.some((b) => b.name === name), default: name === p.default_branch, merged: false },
        };
      }
      if (method === "DELETE") {
        if (name === p.default_branch) throw msg(400, "Cannot remove default branch");
        if (!this.canPush(who, p, name)) throw msg(403, "403 Forbidden");
        p.repo.deleteBranch(name);
        return { status: 204, body: null };
      }
    }
    throw notFound("");
  }

  private mrJson(p: Project, m: MergeRequest) {
    return {
      id: m.id,
      iid: m.iid,
      project_id: p.id,
      title: m.title,
      state: m.state,
      source_branch: m.source_branch,
      target_branch: m.target_branch,
      sha: p.repo.head(m.source_branch) ?? m.merged_sha ?? null,
      merge_commit_sha: null,
      should_remove_source_branch: m.remove_source_branch,
      web_url: `${this.url}/${this.fullPath(p)}/-/merge_requests/${m.iid}`,
    };
  }

  private mergeRequestRoutes(
    method: string,
    p: Project,
    rest: string[],
    q: Record<string, unknown>,
    who: Identity,
    page: <T>(items: T[]) => { status: number; body: unknown; headers?: Record<string, string> },
  ) {
    this.readable(who, p);
    if (rest.length === 0 && method === "GET") {
      const found = p.mergeRequests.filter(
        (m) => (!q.state || q.state === "all" || m.state === q.state) && (!q.source_branch || m.source_branch === q.source_branch),
      );
      return page(found.map((m) => this.mrJson(p, m)));
    }
    if (rest.length === 0 && method === "POST") {
      const source = q.source_branch as string | undefined;
      const target = q.target_branch as string | undefined;
      if (!source || !target || !q.title) throw err(400, "source_branch, target_branch, title are missing");
      if (!p.repo.head(source)) throw msg(404, "404 Branch Not Found");
      const open = p.mergeRequests.find((m) => m.state === "opened" && m.source_branch === source && m.target_branch === target);
      if (open) throw msg(409, [`Another open merge request already exists for this source branch: !${open.iid}`]);
      const m: MergeRequest = {
        id: this.next(),
        iid: p.mergeRequests.length + 1,
        title: String(q.title),
        source_branch: source,
        target_branch: target,
        state: "opened",
        remove_source_branch: bool(q.remove_source_branch) ?? false,
      };
      p.mergeRequests.push(m);
      return { status: 201, body: this.mrJson(p, m) };
    }
    const m = p.mergeRequests.find((x) => x.iid === Number(rest[0]));
    if (!m) throw notFound("Merge Request");
    if (rest.length === 1 && method === "GET") return { status: 200, body: this.mrJson(p, m) };
    if (rest.length === 2 && rest[1] === "merge" && method === "PUT") {
      if (m.state !== "opened") throw msg(405, "405 Method Not Allowed");
      if (!this.canMerge(who, p, m.target_branch)) throw msg(401, "401 Unauthorized");
      const src = p.repo.head(m.source_branch);
      const dst = p.repo.head(m.target_branch);
      if (!src || !dst) throw msg(422, "Branch cannot be merged");
      if (!p.repo.isAncestor(dst, src)) throw msg(406, "Branch cannot be merged");
      p.repo.updateRef(m.target_branch, src, dst);
      m.state = "merged";
      m.merged_sha = src;
      if (m.remove_source_branch || bool(q.should_remove_source_branch)) p.repo.deleteBranch(m.source_branch);
      return { status: 200, body: this.mrJson(p, m) };
    }
    throw notFound("");
  }
}
