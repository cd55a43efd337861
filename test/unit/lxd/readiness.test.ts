import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LxdInstanceState } from "../../../components/lxd/api.ts";
import { LxdClient } from "../../../components/lxd/client.ts";
import { ReadinessError, type ReadinessClock, firstIpv4, waitReady } from "../../../components/lxd/readiness.ts";
import { FakeLxd, asyncOp, fixture, opDone, sync } from "./fake-lxd.ts";

/** VM readiness against recorded/derived LXD responses (VMs cannot start on the CI host). */

const state = (name: string) => sync(fixture<{ metadata: unknown }>(name).metadata);
const stopped = () => {
  const s = fixture<{ metadata: Record<string, unknown> }>("vm-state-agentless").metadata;
  return sync({ ...s, status: "Stopped", status_code: 102, processes: 0, network: null });
};

/** A clock whose sleeps return at once and advance time. */
function fakeClock(): ReadinessClock & { slept: number } {
  let t = 1_000_000;
  const c = {
    slept: 0,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      c.slept += ms;
    },
  };
  return c;
}

let lxd: FakeLxd;
let client: LxdClient;
beforeEach(async () => {
  lxd = await FakeLxd.start();
  client = new LxdClient({ remote: { kind: "unix", socket: lxd.socket, project: "default" } });
});
afterEach(async () => lxd.close());

function cloudInitExec(exitCode: number, stdout = "status: done\n", stderr = "") {
  const out = { "1": "/1.0/instances/runner-01/logs/exec_ci.stdout", "2": "/1.0/instances/runner-01/logs/exec_ci.stderr" };
  lxd.on("POST", "/1.0/instances/runner-01/exec", asyncOp("ci", "Executing command"));
  lxd.on("GET", "/1.0/operations/ci/wait", opDone("ci", "Executing command", { output: out, return: exitCode }));
  lxd.on("GET", out["1"], { text: stdout });
  lxd.on("GET", out["2"], { text: stderr });
  lxd.on("DELETE", /\/logs\//, sync(null));
}

describe("readiness of a virtual machine", () => {
  it("waits for the agent (processes -1 → ≥ 0), then IPv4, then cloud-init via exec", async () => {
    lxd.on("GET", "/1.0/instances/runner-01/state", stopped(), state("vm-state-agentless"), state("vm-state-agentless"), state("vm-state-agentless"), state("vm-state-agent"));
    cloudInitExec(0);
    const clock = fakeClock();
    const r = await waitReady(client, "runner-01", { timeoutSeconds: 300, agent: true, ipv4: true, cloudInit: true }, clock);
    expect(r.cloudInit).toBe("done");
    expect(r.ipv4).toBe("10.232.0.50");
    expect(r.state.processes).toBe(31);
    expect(r.stages.map((s) => s.stage)).toEqual(["running", "agent", "ipv4", "cloud-init"]);
    // stopped, then three agentless answers (the first ends the running stage), then the agent
    expect(lxd.seen("GET", "/1.0/instances/runner-01/state")).toHaveLength(5);
    expect(clock.slept).toBe(3000);
    const exec = lxd.seen("POST", "/1.0/instances/runner-01/exec");
    expect(exec).toHaveLength(1);
    expect(exec[0]?.body).toMatchObject({ command: ["cloud-init", "status", "--wait", "--long"], "record-output": true });
    // exec was only tried once the agent answered
    const order = lxd.requests.map((q) => q.method + " " + q.path.split("?")[0]);
    expect(order.indexOf("POST /1.0/instances/runner-01/exec")).toBeGreaterThan(order.lastIndexOf("GET /1.0/instances/runner-01/state"));
  });

  it("names the agent stage when the agent never answers", async () => {
    lxd.on("GET", "/1.0/instances/runner-01/state", state("vm-state-agentless"));
    const e = await waitReady(client, "runner-01", { timeoutSeconds: 20, agent: true, ipv4: true, cloudInit: true }, fakeClock()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReadinessError);
    expect(e).toMatchObject({ stage: "agent", timedOut: true });
    expect((e as Error).message).toMatch(
      /^instance "runner-01" on unix socket .* is not ready: stage "agent" timed out \(readiness.timeoutSeconds=20, \d+s in this stage\): the LXD agent is not answering \(state.processes=-1\); is lxd-agent in the image\?$/,
    );
    expect(lxd.seen("POST", /exec/)).toHaveLength(0);
  });

  it("names the running stage when the VM never starts", async () => {
    lxd.on("GET", "/1.0/instances/runner-01/state", stopped());
    const e = await waitReady(client, "runner-01", { timeoutSeconds: 5, agent: true, ipv4: true, cloudInit: true }, fakeClock()).catch((x: unknown) => x);
    expect(e).toMatchObject({ stage: "running", timedOut: true });
    expect((e as Error).message).toMatch(/stage "running" timed out .*: status is Stopped$/);
  });

  it("fails at once (not a timeout) when the VM stops while waiting for its agent", async () => {
    lxd.on("GET", "/1.0/instances/runner-01/state", state("vm-state-agentless"), stopped());
    const e = await waitReady(client, "runner-01", { timeoutSeconds: 300, agent: true, ipv4: true, cloudInit: false }, fakeClock()).catch((x: unknown) => x);
    expect(e).toMatchObject({ stage: "agent", timedOut: false });
    expect((e as Error).message).toMatch(/stopped \(status Stopped\) while waiting for stage "agent"$/);
  });

  it("cloud-init missing from the image: says so and how to skip the stage", async () => {
    lxd.on("GET", "/1.0/instances/runner-01/state", state("vm-state-agent"));
    cloudInitExec(127, "", "sh: cloud-init: not found\n");
    const e = await waitReady(client, "runner-01", { timeoutSeconds: 60, agent: true, ipv4: true, cloudInit: true }, fakeClock()).catch((x: unknown) => x);
    expect(e).toMatchObject({ stage: "cloud-init", timedOut: false });
    expect((e as Error).message).toMatch(/cloud-init is not available in the image \(exit 127\); use an image with cloud-init or set readiness.cloudInit=false$/);
  });

  it("a container skips the agent and, when configured, cloud-init", async () => {
    lxd.on("GET", "/1.0/instances/runner-01/state", state("container-state-running"));
    const r = await waitReady(client, "runner-01", { timeoutSeconds: 60, agent: false, ipv4: true, cloudInit: false }, fakeClock());
    expect(r.cloudInit).toBe("skipped");
    expect(r.stages.map((s) => s.stage)).toEqual(["running", "ipv4"]);
    expect(lxd.seen("POST", /exec/)).toHaveLength(0);
  });
});

describe("firstIpv4", () => {
  it("prefers eth0, skips loopback and link-local, takes the guest's interface for VMs", () => {
    expect(firstIpv4(LxdInstanceState.parse(fixture<{ metadata: unknown }>("container-state-running").metadata))).toMatch(/^10\.232\.0\.\d+$/);
    expect(firstIpv4(LxdInstanceState.parse(fixture<{ metadata: unknown }>("vm-state-agent").metadata))).toBe("10.232.0.50");
    const none = LxdInstanceState.parse({ status: "Running", status_code: 103, processes: 1, network: null });
    expect(firstIpv4(none)).toBeUndefined();
  });
});
