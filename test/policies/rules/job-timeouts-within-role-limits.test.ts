import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const invocation = (target_role: string, timeout_sec: number) => ({
  schema_version: "ws2.invocation.v1",
  job_id: "job-1",
  target_role,
  requested_by: "ci",
  request_utc: "2025-01-01T00:00:00Z",
  command: ["make", "test"],
  timeout_sec,
  lock_key: "hut-01",
});

describe("job-timeouts-within-role-limits", () => {
  it("passes jobs within their role maxima", async () => {
    const vs = await check("job-timeouts-within-role-limits", [
      res("command:remote:Command", "monitor", { create: "timeout 2h hut monitor --slot hut-01 --expect READY --timeout 600" }, { customTimeouts: { createSeconds: 1800 } }),
      res("command:remote:Command", "run", { create: "hut run --invocation /dev/stdin", stdin: JSON.stringify(invocation("runner", 14400)) }),
      res("pulumi-nodejs:dynamic:Resource", "runner", { kind: "gitlab-runner", role: "runner", maximumTimeout: 14400 }),
      res("pulumi-nodejs:dynamic:Resource", "infra-ci", { kind: "gitlab-file", role: "infra", content: "deploy:\n  script: [make]\n  timeout: 45m\n" }),
    ]);
    expect(vs).toEqual([]);
  });

  it("fails timeouts over the role maximum, naming where", async () => {
    const vs = await check("job-timeouts-within-role-limits", [
      res("command:remote:Command", "lock", { create: "hut lock --slot hut-01 --wait 20000 -- make" }),
      res("command:remote:Command", "wrapped", { create: "timeout -k 30 5h hut flash --inventory - --slot hut-01" }),
      res("command:remote:Command", "slow", { create: "hut flash --slot hut-01 --firmware f" }, { customTimeouts: { createSeconds: 20000 } }),
      res("command:remote:Command", "inv", { stdin: JSON.stringify(invocation("infra", 7200)) }),
      res("pulumi-nodejs:dynamic:Resource", "runner", { kind: "gitlab-runner", role: "runner", maximumTimeout: 86400 }),
      res("pulumi-nodejs:dynamic:Resource", "infra-ci", { kind: "gitlab-file", role: "infra", content: "deploy:\n  script: [make]\n  timeout: 3h\n" }),
    ]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "command:remote:Command::lock create hut --wait is 20000s, over the runner maximum of 14400s",
      "command:remote:Command::wrapped create timeout 5h is 18000s, over the runner maximum of 14400s",
      "command:remote:Command::slow customTimeouts.create is 20000s, over the runner maximum of 14400s",
      "command:remote:Command::inv stdin<json> ws2 invocation timeout_sec: 7200s exceeds the infra maximum of 3600s",
      "pulumi-nodejs:dynamic:Resource::runner maximumTimeout is 86400s, over the runner maximum of 14400s",
      "pulumi-nodejs:dynamic:Resource::infra-ci content job deploy timeout is 10800s, over the infra maximum of 3600s",
    ]);
  });

  it("defaultRole is tunable", async () => {
    const r = res("command:remote:Command", "m", { create: "hut monitor --slot hut-01 --timeout 7200" });
    expect(await check("job-timeouts-within-role-limits", [r])).toEqual([]);
    expect(await check("job-timeouts-within-role-limits", [r], { "job-timeouts-within-role-limits": { defaultRole: "infra" } })).toHaveLength(1);
  });

  it("unknowns: an unknown timeout field fails closed", async () => {
    const vs = await check("job-timeouts-within-role-limits", [res("pulumi-nodejs:dynamic:Resource", "runner", { kind: "gitlab-runner", maximumTimeout: unknown.number })]);
    expect(mandatory(vs)[0]?.message).toContain("maximumTimeout is unknown during preview, so it cannot be checked against the runner maximum");
    expect(noDowngrade(vs)).toBe(true);
  });
});
