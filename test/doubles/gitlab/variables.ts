/**
 * Project CI/CD variables of the GitLab double, following GitLab's documented Project-level
 * CI/CD variables API: `GET /projects/:id/variables` (paginated), `GET/PUT/DELETE
 * /projects/:id/variables/:key` (404 "404 Variable Not Found"), `POST /projects/:id/variables`
 * (201; 400 `{"message":{"key":["(KEY) has already been taken"]}}` for a taken key; 400
 * `{"message":{"value":["is invalid"]}}` for a masked value GitLab cannot mask: shorter than 8
 * characters or outside its masking alphabet; 400 "key is missing" / "value is missing";
 * DELETE answers 204). Only the `*` environment scope is modelled.
 */
import { err, flag, msg, notFound, type Page, type Routed } from "./http.ts";

export interface CiVariable {
  variable_type: "env_var" | "file";
  key: string;
  value: string;
  protected: boolean;
  masked: boolean;
  hidden: boolean;
  raw: boolean;
  environment_scope: string;
  description: string | null;
}

const MASKABLE = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
const KEY = /^[a-zA-Z0-9_]{1,255}$/;

export class Variables {
  private readonly byProject = new Map<number, Map<string, CiVariable>>();

  /** The project's variables (tests read them directly). */
  of(projectId: number): CiVariable[] {
    return [...(this.byProject.get(projectId)?.values() ?? [])];
  }

  /** Back door: a variable set by a person in the UI. */
  put(projectId: number, v: Partial<CiVariable> & { key: string; value: string }): void {
    this.vars(projectId).set(v.key, { ...this.defaults(v.key, v.value), ...v });
  }

  forget(projectId: number): void {
    this.byProject.delete(projectId);
  }

  route(projectId: number, method: string, rest: string[], q: Record<string, unknown>, page: Page): Routed {
    const vars = this.vars(projectId);
    if (rest.length === 0 && method === "GET") return page([...vars.values()]);
    if (rest.length === 0 && method === "POST") {
      const key = q.key as string | undefined;
      if (!key) throw err(400, "key is missing");
      if (q.value === undefined) throw err(400, "value is missing");
      if (!KEY.test(key)) throw msg(400, { key: ["can contain only letters, digits and '_'."] });
      if (vars.has(key)) throw msg(400, { key: [`(${key}) has already been taken`] });
      const v = this.apply(this.defaults(key, ""), q);
      vars.set(key, v);
      return { status: 201, body: v };
    }
    if (rest.length !== 1) throw notFound("");
    const found = vars.get(rest[0]!);
    if (!found) throw notFound("Variable");
    if (method === "GET") return { status: 200, body: found };
    if (method === "PUT") {
      const v = this.apply({ ...found }, q);
      vars.set(v.key, v);
      return { status: 200, body: v };
    }
    if (method === "DELETE") {
      vars.delete(found.key);
      return { status: 204, body: null };
    }
    throw msg(405, "405 Method Not Allowed");
  }

  private vars(projectId: number): Map<string, CiVariable> {
    const known = this.byProject.get(projectId);
    if (known) return known;
    const m = new Map<string, CiVariable>();
    this.byProject.set(projectId, m);
    return m;
  }

  private defaults(key: string, value: string): CiVariable {
    return { variable_type: "env_var", key, value, protected: false, masked: false, hidden: false, raw: false, environment_scope: "*", description: null };
  }

  /** The new attributes, validated as GitLab does before saving (nothing saved on a 400). */
  private apply(v: CiVariable, q: Record<string, unknown>): CiVariable {
    const next: CiVariable = {
      ...v,
      value: q.value === undefined ? v.value : String(q.value),
      protected: flag(q.protected, v.protected),
      masked: flag(q.masked, v.masked),
      raw: flag(q.raw, v.raw),
      description: q.description === undefined ? v.description : (q.description as string | null),
    };
    if (q.variable_type === "file" || q.variable_type === "env_var") next.variable_type = q.variable_type;
    if (next.masked && !MASKABLE.test(next.value)) throw msg(400, { value: ["is invalid"] });
    return next;
  }
}
