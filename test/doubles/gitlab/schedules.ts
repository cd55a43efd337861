/**
 * Pipeline schedules of the GitLab double, following GitLab's documented Pipeline schedules API:
 * `GET /projects/:id/pipeline_schedules` (paginated), `GET/PUT/DELETE
 * /projects/:id/pipeline_schedules/:schedule_id` (404 "404 Pipeline Schedule Not Found"; DELETE
 * answers 204), `POST /projects/:id/pipeline_schedules` (201; 400 "description is missing" /
 * "ref is missing" / "cron is missing"; 400 `{"message":{"cron":["is invalid syntax"]}}` for a
 * cron that is not five fields; `cron_timezone` defaults to UTC, `active` to true).
 */
import { err, flag, msg, notFound, type Page, type Routed } from "./http.ts";

export interface PipelineSchedule {
  id: number;
  description: string;
  ref: string;
  cron: string;
  cron_timezone: string;
  active: boolean;
}

const CRON_FIELD = /^[0-9*,/-]+$|^[A-Za-z]{3}$/;

export class Schedules {
  private readonly byProject = new Map<number, Map<number, PipelineSchedule>>();

  constructor(private readonly nextId: () => number) {}

  of(projectId: number): PipelineSchedule[] {
    return [...(this.byProject.get(projectId)?.values() ?? [])];
  }

  /** Back door: edit a schedule as a person would in the UI (or delete it with `null`). */
  edit(projectId: number, id: number, change: Partial<PipelineSchedule> | null): void {
    const m = this.schedules(projectId);
    if (change === null) m.delete(id);
    else m.set(id, { ...m.get(id)!, ...change });
  }

  forget(projectId: number): void {
    this.byProject.delete(projectId);
  }

  route(projectId: number, method: string, rest: string[], q: Record<string, unknown>, page: Page): Routed {
    const m = this.schedules(projectId);
    if (rest.length === 0 && method === "GET") return page([...m.values()]);
    if (rest.length === 0 && method === "POST") {
      for (const k of ["description", "ref", "cron"]) if (!q[k]) throw err(400, `${k} is missing`);
      const s = this.apply({ id: this.nextId(), description: "", ref: "", cron: "", cron_timezone: "UTC", active: true }, q);
      m.set(s.id, s);
      return { status: 201, body: s };
    }
    if (rest.length !== 1) throw notFound("");
    const found = m.get(Number(rest[0]));
    if (!found) throw notFound("Pipeline Schedule");
    if (method === "GET") return { status: 200, body: { ...found, variables: [] } };
    if (method === "PUT") {
      const s = this.apply({ ...found }, q);
      m.set(s.id, s);
      return { status: 200, body: s };
    }
    if (method === "DELETE") {
      m.delete(found.id);
      return { status: 204, body: null };
    }
    throw msg(405, "405 Method Not Allowed");
  }

  private schedules(projectId: number): Map<number, PipelineSchedule> {
    const known = this.byProject.get(projectId);
    if (known) return known;
    const m = new Map<number, PipelineSchedule>();
    this.byProject.set(projectId, m);
    return m;
  }

  private apply(s: PipelineSchedule, q: Record<string, unknown>): PipelineSchedule {
    const next: PipelineSchedule = {
      ...s,
      description: q.description === undefined ? s.description : String(q.description),
      ref: q.ref === undefined ? s.ref : String(q.ref),
      cron: q.cron === undefined ? s.cron : String(q.cron),
      cron_timezone: q.cron_timezone === undefined ? s.cron_timezone : String(q.cron_timezone),
      active: flag(q.active, s.active),
    };
    const f = next.cron.trim().split(/\s+/);
    if (f.length !== 5 || !f.every((x) => CRON_FIELD.test(x))) throw msg(400, { cron: ["is invalid syntax"] });
    return next;
  }
}
