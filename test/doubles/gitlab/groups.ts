/**
 * Groups and namespaces of the GitLab double, following GitLab's documented Groups and Namespaces
 * APIs: `POST /groups` (name, path, parent_id, visibility, description; 201; 400 "Failed to save
 * group {…}" for a taken path or a visibility above the parent's; 404 for an unknown parent; 403
 * without the right to create a (sub)group), `GET/PUT/DELETE /groups/:id` (id or URL-encoded full
 * path; DELETE answers 202), `GET /groups`, `/groups/:id/projects`, `/groups/:id/subgroups`,
 * `GET /namespaces` and `GET /namespaces/:id` (paginated lists, 404 "Namespace Not Found").
 * Membership is inherited down the group tree, as in GitLab.
 */
import { err, msg, notFound, type Page, type Routed } from "./http.ts";

export type Visibility = "private" | "internal" | "public";
const RANK: Record<Visibility, number> = { private: 0, internal: 10, public: 20 };

export interface Group {
  id: number;
  name: string;
  path: string;
  full_path: string;
  parent_id: number | null;
  visibility: Visibility;
  description: string;
}

export interface Caller {
  id: number;
  admin: boolean;
  bot: boolean;
  /** May create top-level groups (GitLab's `can_create_group`). */
  canCreateGroup: boolean;
}

const PATH = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/;

export class Groups {
  readonly byId = new Map<number, Group>();
  private readonly members = new Map<number, Map<number, number>>();

  constructor(
    private readonly nextId: () => number,
    private readonly baseUrl: () => string,
    /** Full paths of the projects directly in a group (routes are shared with groups). */
    private readonly projectsIn: (groupId: number) => { id: number; path: string; path_with_namespace: string }[],
  ) {}

  /** Back door: the group and any missing parents, private. */
  add(fullPath: string, visibility: Visibility = "private"): Group {
    let parent: Group | null = null;
    for (const segment of fullPath.split("/")) {
      const path: string = parent ? `${(parent as Group).full_path}/${segment}` : segment;
      parent = this.find(path) ?? this.insert(segment, segment, parent, visibility, "");
    }
    return parent!;
  }

  addMember(groupId: number, userId: number, level: number): void {
    this.members.get(groupId)!.set(userId, level);
  }

  find(ref: string | number): Group | undefined {
    const s = String(ref);
    return /^\d+$/.test(s) ? this.byId.get(Number(s)) : [...this.byId.values()].find((g) => g.full_path.toLowerCase() === s.toLowerCase());
  }

  ancestors(g: Group): Group[] {
    const out: Group[] = [];
    for (let p = g.parent_id === null ? undefined : this.byId.get(g.parent_id); p; p = p.parent_id === null ? undefined : this.byId.get(p.parent_id)) out.push(p);
    return out;
  }

  /** A user's level on a group, inherited from its ancestors. */
  level(userId: number, g: Group): number {
    return Math.max(...[g, ...this.ancestors(g)].map((x) => this.members.get(x.id)?.get(userId) ?? 0));
  }

  /** Every member of a group, direct or inherited, with the highest level. */
  memberLevels(g: Group): Map<number, number> {
    const out = new Map<number, number>();
    for (const x of [g, ...this.ancestors(g)]) for (const [uid, lvl] of this.members.get(x.id) ?? []) out.set(uid, Math.max(lvl, out.get(uid) ?? 0));
    return out;
  }

  private insert(name: string, path: string, parent: Group | null, visibility: Visibility, description: string): Group {
    const g: Group = {
      id: this.nextId(),
      name,
      path,
      full_path: parent ? `${parent.full_path}/${path}` : path,
      parent_id: parent?.id ?? null,
      visibility,
      description,
    };
    this.byId.set(g.id, g);
    this.members.set(g.id, new Map());
    return g;
  }

  private visible(who: Caller, g: Group): boolean {
    return who.admin || this.level(who.id, g) >= 10 || g.visibility === "public" || (g.visibility === "internal" && !who.bot);
  }

  private readable(who: Caller, ref: string): Group {
    const g = this.find(ref);
    if (!g || !this.visible(who, g)) throw notFound("Group");
    return g;
  }

  private owner(who: Caller, g: Group): void {
    if (!who.admin && this.level(who.id, g) < 50) throw msg(403, "403 Forbidden");
  }

  json(g: Group) {
    return {
      id: g.id,
      name: g.name,
      path: g.path,
      description: g.description,
      visibility: g.visibility,
      full_name: [...this.ancestors(g).reverse(), g].map((x) => x.name).join(" / "),
      full_path: g.full_path,
      parent_id: g.parent_id,
      web_url: `${this.baseUrl()}/groups/${g.full_path}`,
    };
  }

  private namespaceJson(g: Group) {
    return { id: g.id, name: g.name, path: g.path, kind: "group", full_path: g.full_path, parent_id: g.parent_id, web_url: `${this.baseUrl()}/groups/${g.full_path}` };
  }

  private create(q: Record<string, unknown>, who: Caller): Group {
    const name = q.name as string | undefined;
    const path = q.path as string | undefined;
    if (!name) throw err(400, "name is missing");
    if (!path) throw err(400, "path is missing");
    const visibility = (q.visibility as string | undefined) ?? "private";
    if (!(visibility in RANK)) throw err(400, "visibility does not have a valid value");
    let parent: Group | null = null;
    if (q.parent_id !== undefined && q.parent_id !== null && q.parent_id !== "") {
      parent = this.byId.get(Number(q.parent_id)) ?? null;
      if (!parent || !this.visible(who, parent)) throw notFound("Group");
      if (!who.admin && this.level(who.id, parent) < 40) throw msg(403, "403 Forbidden");
    } else if (!who.admin && !who.canCreateGroup) {
      throw msg(403, "403 Forbidden");
    }
    const errors: Record<string, string[]> = {};
    if (!PATH.test(path) || path.endsWith(".git") || path.endsWith(".atom")) {
      errors.path = ["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"];
    }
    const full = parent ? `${parent.full_path}/${path}` : path;
    const taken = this.find(full) !== undefined || (parent !== null && this.projectsIn(parent.id).some((p) => p.path.toLowerCase() === path.toLowerCase()));
    if (taken) errors.path = ["has already been taken"];
    if (parent && RANK[visibility as Visibility] > RANK[parent.visibility]) {
      errors.visibility_level = [`${visibility} is not allowed since the parent group has a ${parent.visibility} visibility.`];
    }
    if (Object.keys(errors).length > 0) {
      const ruby = Object.entries(errors)
        .map(([k, v]) => `:${k}=>[${v.map((x) => JSON.stringify(x)).join(", ")}]`)
        .join(", ");
      throw msg(400, `Failed to save group {${ruby}}`);
    }
    const g = this.insert(name, path, parent, visibility as Visibility, (q.description as string | undefined) ?? "");
    this.members.get(g.id)!.set(who.id, 50); // the creator owns the group
    return g;
  }

  private edit(g: Group, q: Record<string, unknown>): Group {
    if (q.visibility !== undefined) {
      const v = String(q.visibility);
      if (!(v in RANK)) throw err(400, "visibility does not have a valid value");
      g.visibility = v as Visibility;
    }
    if (q.description !== undefined) g.description = String(q.description);
    if (q.name !== undefined) g.name = String(q.name);
    return g;
  }

  /** Back door: a rename or transfer done by hand (drift). */
  rename(id: number, path: string): void {
    const g = this.byId.get(id)!;
    const old = g.full_path;
    g.path = path;
    g.name = path;
    g.full_path = old.replace(/[^/]+$/, path);
    for (const x of this.byId.values()) if (x.full_path.startsWith(`${old}/`)) x.full_path = g.full_path + x.full_path.slice(old.length);
  }

  private descendants(g: Group): Group[] {
    return [...this.byId.values()].filter((x) => x.full_path.startsWith(`${g.full_path}/`));
  }

  /** `groups/…` and `namespaces/…`; `deleteProjects` removes a deleted group's projects (GitLab deletes them with it). */
  route(method: string, s: string[], q: Record<string, unknown>, who: Caller, page: Page, deleteProjects: (groupId: number) => void): Routed {
    const search = ((q.search as string | undefined) ?? "").toLowerCase();
    const matches = (g: Group) => !search || g.path.toLowerCase().includes(search) || g.name.toLowerCase().includes(search);
    if (s[0] === "namespaces") {
      if (s.length === 1 && method === "GET") return page([...this.byId.values()].filter((g) => this.visible(who, g) && matches(g)).map((g) => this.namespaceJson(g)));
      if (s.length === 2 && method === "GET") {
        const g = this.find(s[1]!);
        if (!g || !this.visible(who, g)) throw notFound("Namespace");
        return { status: 200, body: this.namespaceJson(g) };
      }
      throw notFound("");
    }
    if (s.length === 1) {
      if (method === "GET") return page([...this.byId.values()].filter((g) => this.visible(who, g) && matches(g)).map((g) => this.json(g)));
      if (method === "POST") return { status: 201, body: this.json(this.create(q, who)) };
      throw msg(405, "405 Method Not Allowed");
    }
    const g = this.readable(who, s[1]!);
    const rest = s.slice(2).join("/");
    if (rest === "" && method === "GET") return { status: 200, body: this.json(g) };
    if (rest === "" && method === "PUT") {
      this.owner(who, g);
      return { status: 200, body: this.json(this.edit(g, q)) };
    }
    if (rest === "" && method === "DELETE") {
      this.owner(who, g);
      for (const x of [...this.descendants(g), g]) {
        deleteProjects(x.id);
        this.byId.delete(x.id);
        this.members.delete(x.id);
      }
      return { status: 202, body: { message: "202 Accepted" } };
    }
    if (rest === "projects" && method === "GET") return page(this.projectsIn(g.id));
    if (rest === "subgroups" && method === "GET") return page([...this.byId.values()].filter((x) => x.parent_id === g.id && this.visible(who, x)).map((x) => this.json(x)));
    throw notFound("");
  }
}
