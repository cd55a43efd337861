import { afterEach, describe, expect, it } from "vitest";
import * as schedule from "../../../components/gitlab/pipeline-schedule-impl.ts";
import { rejection, startGitlabWithRunnerProject } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const DESCRIPTION = "labfleet hardware lane health (stack staging)";

async function setup() {
  const s = await startGitlabWithRunnerProject();
  double = s.d;
  const { projectId } = s;
  const inputs = (over: Record<string, unknown> = {}) =>
    schedule.PipelineScheduleInputs.parse({ ...s.conn, projectId, projectPath: "lab-agents/runner", description: DESCRIPTION, cron: "0 * * * *", ...over }) as unknown as Record<
      string,
      unknown
    >;
  return { ...s, projectId, inputs };
}

const live = (d: GitlabDouble, projectId: number) => d.schedules.of(projectId).map(({ id: _, ...s }) => s);

describe("GitlabPipelineSchedule provider", () => {
  it("creates the schedule once, adopts it by description on a second create, deletes it idempotently", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await schedule.create(inputs());
    expect(live(d, projectId)).toEqual([{ description: DESCRIPTION, ref: "main", cron: "0 * * * *", cron_timezone: "UTC", active: true }]);
    const again = await schedule.create(inputs());
    expect(again.id).toBe(id);
    expect(d.count("POST", /pipeline_schedules$/)).toBe(1);
    const r = await schedule.read(id, outs);
    expect(await schedule.diff(id, r.props as never, inputs())).toMatchObject({ changes: false });
    await schedule.delete(id, outs);
    await schedule.delete(id, outs);
    expect(d.schedules.of(projectId)).toEqual([]);
  });

  it("changes the cron in place (same schedule id)", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await schedule.create(inputs());
    const next = inputs({ cron: "*/30 * * * *", cronTimezone: "Europe/Berlin" });
    expect(await schedule.diff(id, outs, next)).toMatchObject({ changes: true, replaces: [] });
    const u = await schedule.update(id, outs, next);
    expect(u.outs).toMatchObject({ scheduleId: outs.scheduleId, live: { cron: "*/30 * * * *", cronTimezone: "Europe/Berlin", active: true } });
    expect(live(d, projectId)[0]).toMatchObject({ cron: "*/30 * * * *", cron_timezone: "Europe/Berlin" });
  });

  it("detects drift (deactivated or cron edited in the UI, deleted) and converges it", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await schedule.create(inputs());
    const sid = outs.scheduleId as number;
    for (const change of [{ active: false }, { cron: "5 4 * * *" }, null]) {
      d.schedules.edit(projectId, sid, change);
      const r = await schedule.read(id, outs);
      expect(await schedule.diff(id, r.props as never, inputs())).toMatchObject({ changes: true });
      const u = await schedule.update(id, r.props as never, inputs());
      expect(live(d, projectId)).toEqual([{ description: DESCRIPTION, ref: "main", cron: "0 * * * *", cron_timezone: "UTC", active: true }]);
      Object.assign(outs, u.outs);
    }
  });

  it("refuses a cron that is not five fields, naming the input", async () => {
    const { d, projectId, inputs } = await setup();
    const checked = await schedule.check({}, { ...inputs(), cron: "hourly" });
    expect(checked.failures?.[0]).toMatchObject({ property: "cron", reason: expect.stringMatching(/five fields/) });
    expect((await rejection(schedule.create({ ...inputs(), cron: "hourly" }))).message).toMatch(/cron: must be a cron expression/);
    expect(d.schedules.of(projectId)).toEqual([]);
  });
});
