/**
 * The AgentFleet component's FleetRollout provider, called as Pulumi's dynamic-provider host calls
 * it, against 4 agents reached only through the mesh: check names the bad key before any host is
 * touched; create rolls out; the same inputs again are no change (a second `up` does nothing);
 * a new version whose health check fails on one host fails the update naming it; hosts found at
 * another version by `read` (refresh) are drift that the next update rolls out to those hosts only.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AgentLab, providerCall } from "./agent-lab.ts";
import { fleetSettings, writePackage } from "./agent-package.ts";

let lab: AgentLab;
let key: string;

beforeAll(async () => {
  lab = new AgentLab();
  await lab.start(4);
  key = readFileSync(lab.keyPath, "utf8");
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
}, 60_000);

function inputs(pkg: ReturnType<typeof writePackage>, extra: Record<string, unknown> = {}) {
  const { hub: _hub, logDir: _logDir, tags: _tags, ...inv } = lab.inventory(fleetSettings(pkg, { batch: "50%" })) as Record<string, unknown>;
  return { ...inv, privateKey: key, ...extra };
}

const restarts = (i: number) => readFileSync(join(lab.agents[i]!.dir, "log", "audit.log"), "utf8").trim().split("\n").length;

it("check names the offending key before any host is touched", async () => {
  const v1 = writePackage(lab, "1.0.0");
  const wrongSha = await providerCall(lab, "check", {}, inputs({ ...v1, sha256: "0".repeat(64) }));
  expect(wrongSha.result?.failures).toEqual([{ property: "package.sha256", reason: expect.stringMatching(/^package\.sha256: .* has sha256 [0-9a-f]{64}, not the expected 0{64}$/) }]);
  const missing = await providerCall(lab, "check", {}, inputs({ ...v1, path: "/nonexistent.pkg" }));
  expect(missing.result?.failures?.[0]?.property).toBe("package.source");
  const { privateKey: _k, ...noKey } = inputs(v1);
  const nokey = await providerCall(lab, "check", {}, noKey);
  expect(nokey.result?.failures).toEqual([{ property: "privateKey", reason: "required: the agents' SSH private key (secret labfleet:fleetSshKey)" }]);
  const dupe = await providerCall(lab, "check", {}, inputs(v1, { hosts: [lab.agents[0], lab.agents[0]].map((a) => ({ name: a!.name, address: a!.address })) }));
  expect(dupe.result?.failures?.map((f) => f.property)).toEqual(["hosts.1.name", "hosts.1.address"]);
}, 60_000);

it("rolls out on create, does nothing for the same inputs, fails an update naming the unhealthy host, and rolls out drift", async () => {
  const v1 = writePackage(lab, "1.0.0");
  const created = await providerCall(lab, "create", inputs(v1));
  expect(created.error).toBeUndefined();
  const outs = created.result!.outs!;
  expect(outs.hostVersions).toEqual({ "agent-01": "1.0.0", "agent-02": "1.0.0", "agent-03": "1.0.0", "agent-04": "1.0.0" });

  const same = await providerCall(lab, "diff", created.result!.id, outs, inputs(v1));
  expect(same.result?.changes).toBe(false);

  const v2 = writePackage(lab, "2.0.0");
  writeFileSync(join(lab.agents[2]!.dir, "broken"), "2.0.0\n");
  expect((await providerCall(lab, "diff", created.result!.id, outs, inputs(v2))).result?.changes).toBe(true);
  const failed = await providerCall(lab, "update", created.result!.id, outs, inputs(v2));
  expect(failed.ok).toBe(false);
  expect(failed.error).toMatch(/^rollout of 2\.0\.0 stopped after batch 2\/2 \(maxFailures 0\); 1 failed host\(s\): agent-03 \(10\.231\.100\.13\): health command exited 1/);
  expect(failed.error).not.toContain("PRIVATE KEY");

  // Refresh finds what the failed update left (batch 1 at 2.0.0, batch 2 rolled back to 1.0.0) and
  // agent-01 at a version changed by hand: drift, rolled out to those two hosts alone.
  writeFileSync(join(lab.agents[0]!.dir, "state", "version"), "0.9.0\n");
  const read = await providerCall(lab, "read", created.result!.id, outs);
  expect(read.result!.props!.hostVersions).toEqual({ "agent-01": "0.9.0", "agent-02": "2.0.0", "agent-03": "1.0.0", "agent-04": "1.0.0" });
  const before = [0, 1, 2, 3].map(restarts);
  expect((await providerCall(lab, "diff", created.result!.id, read.result!.props, inputs(v1))).result?.changes).toBe(true);
  const fixed = await providerCall(lab, "update", created.result!.id, read.result!.props, inputs(v1));
  expect(fixed.error).toBeUndefined();
  expect(fixed.result!.outs!.hostVersions).toEqual(outs.hostVersions);
  expect([0, 1, 2, 3].map(restarts)).toEqual([before[0]! + 1, before[1]! + 1, before[2], before[3]]);
}, 300_000);
