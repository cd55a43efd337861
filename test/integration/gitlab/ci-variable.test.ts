import { afterEach, describe, expect, it } from "vitest";
import * as variable from "../../../components/gitlab/ci-variable-impl.ts";
import { rejection, startGitlabWithRunnerProject } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const SECRET = "ghp_Secret0123456789abcdefXYZ";
const KEY = "LABFLEET_GITHUB_STATUS_TOKEN";

async function setup() {
  const s = await startGitlabWithRunnerProject();
  double = s.d;
  const { projectId } = s;
  const inputs = (over: Record<string, unknown> = {}) =>
    variable.CiVariableInputs.parse({ ...s.conn, projectId, projectPath: "lab-agents/runner", key: KEY, value: SECRET, ...over }) as unknown as Record<string, unknown>;
  return { ...s, projectId, inputs };
}

/** Every request the double saw, as text: the secret must be in none (bodies are not logged, queries are). */
const seen = (d: GitlabDouble) => JSON.stringify(d.requests);

describe("GitlabCiVariable provider", () => {
  it("creates a masked, protected variable, reads it back in sync, and deletes it (idempotently)", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await variable.create(inputs());
    expect(id).toBe(`${projectId}:${KEY}`);
    expect(outs).toMatchObject({ present: true, liveMasked: true, liveProtected: true, valueMatches: true });
    expect(d.variables.of(projectId)).toEqual([expect.objectContaining({ key: KEY, value: SECRET, masked: true, protected: true, raw: true })]);
    const r = await variable.read(id, outs);
    expect(await variable.diff(id, r.props as never, inputs())).toMatchObject({ changes: false });
    await variable.delete(id, outs);
    expect(d.variables.of(projectId)).toEqual([]);
    await variable.delete(id, outs); // already gone: success
    expect(seen(d)).not.toContain(SECRET);
  });

  it("adopts a variable a person set by hand and converges its flags and value with one PUT", async () => {
    const { d, projectId, inputs } = await setup();
    d.variables.put(projectId, { key: KEY, value: "old-value-by-hand", masked: false, protected: false });
    const { outs } = await variable.create(inputs());
    expect(outs).toMatchObject({ present: true, liveMasked: true, liveProtected: true, valueMatches: true });
    expect(d.count("POST", /variables$/)).toBe(0);
    expect(d.count("PUT", /variables\/LABFLEET_GITHUB_STATUS_TOKEN$/)).toBe(1);
    expect(d.variables.of(projectId)[0]).toMatchObject({ value: SECRET, masked: true, protected: true });
  });

  it("turns GitLab's 400 'has already been taken' into adoption when the key appears between lookup and POST", async () => {
    const { d, projectId, inputs } = await setup();
    let raced = false;
    const show = d.variables.route.bind(d.variables);
    d.variables.route = (pid, method, rest, q, page) => {
      if (method === "POST" && !raced) {
        raced = true;
        d.variables.put(pid, { key: KEY, value: "someone-elses-value", masked: true, protected: false });
      }
      return show(pid, method, rest, q, page);
    };
    const { outs } = await variable.create(inputs());
    expect(raced).toBe(true);
    expect(outs).toMatchObject({ valueMatches: true, liveProtected: true });
    expect(d.variables.of(projectId)[0]).toMatchObject({ value: SECRET, protected: true });
  });

  it("updates a changed value without the value in any error, log or request line", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await variable.create(inputs());
    const next = inputs({ value: "ghp_Rotated9876543210zyxwv" });
    expect(await variable.diff(id, outs, next)).toMatchObject({ changes: true, replaces: [] });
    const u = await variable.update(id, outs, next);
    expect(u.outs).toMatchObject({ valueMatches: true });
    expect(d.variables.of(projectId)[0]!.value).toBe("ghp_Rotated9876543210zyxwv");
    expect(seen(d)).not.toContain("ghp_Rotated9876543210zyxwv");
    expect(seen(d)).not.toContain(SECRET);
  });

  it("detects drift: unmasked, unprotected, value changed in the UI, deleted", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await variable.create(inputs());
    for (const change of [{ masked: false }, { protected: false }, { value: "changed-in-the-ui" }]) {
      d.variables.put(projectId, { key: KEY, value: SECRET, masked: true, protected: true, ...change });
      const r = await variable.read(id, outs);
      expect(await variable.diff(id, r.props as never, inputs())).toMatchObject({ changes: true, replaces: [] });
      await variable.update(id, r.props as never, inputs());
      expect(d.variables.of(projectId)[0]).toMatchObject({ value: SECRET, masked: true, protected: true });
    }
    await d.variables.route(projectId, "DELETE", [KEY], {}, () => ({ status: 200, body: [] }));
    const gone = await variable.read(id, outs);
    expect(gone.props).toMatchObject({ present: false, valueMatches: false });
    expect(await variable.diff(id, gone.props as never, inputs())).toMatchObject({ changes: true });
    await variable.update(id, gone.props as never, inputs());
    expect(d.variables.of(projectId)).toHaveLength(1);
  });

  it("rejects a masked value GitLab cannot mask, naming the key and never the value", async () => {
    const { d, projectId, inputs } = await setup();
    const short = "has space";
    const raw = { ...inputs(), value: short };
    const checked = await variable.check({}, raw);
    expect(checked.failures?.[0]?.property).toBe("value");
    expect(checked.failures?.[0]?.reason).toContain(KEY);
    expect(JSON.stringify(checked.failures)).not.toContain(short);
    const e = await rejection(variable.create(raw));
    expect(e.message).toContain(KEY);
    expect(e.message).not.toContain(short);
    expect(d.variables.of(projectId)).toEqual([]);
    // the double answers GitLab's own 400 for the same value (the provider never gets there)
    expect(() => d.variables.route(projectId, "POST", [], { key: KEY, value: short, masked: true }, () => ({ status: 200, body: [] }))).toThrow(/is invalid/);
  });

  it("lists variables paginated, as GitLab does", async () => {
    const { d, projectId, conn } = await setup();
    for (let n = 0; n < 3; n++) d.variables.put(projectId, { key: `V${n}`, value: `value-${n}-xxxx` });
    const { connect } = await import("../../../components/gitlab/client.ts");
    const page = await connect(conn.gitlabUrl, conn.gitlabToken).api.ProjectVariables.all(projectId, { perPage: 2, maxPages: 1 } as never);
    expect(page).toHaveLength(2);
    const all = await connect(conn.gitlabUrl, conn.gitlabToken).api.ProjectVariables.all(projectId, { perPage: 2 } as never);
    expect(all.map((v) => v.key).sort()).toEqual(["V0", "V1", "V2"]);
  });
});
