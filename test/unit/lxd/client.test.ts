import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { LxdInstance } from "../../../components/lxd/api.ts";
import { LxdClient, LxdError } from "../../../components/lxd/client.ts";
import { FakeLxd, asyncOp, fixture, lxdError, opDone, sync } from "./fake-lxd.ts";

let lxd: FakeLxd;
let client: LxdClient;

beforeEach(async () => {
  lxd = await FakeLxd.start();
  client = new LxdClient({ remote: { kind: "unix", socket: lxd.socket, project: "default" } });
});
afterEach(async () => lxd.close());

describe("LxdClient over a unix socket (recorded responses)", () => {
  it("validates a recorded instance and returns its ETag", async () => {
    lxd.on("GET", "/1.0/instances/runner-01", { ...sync(fixture<{ metadata: unknown }>("container-instance").metadata), headers: { ETag: '"abc123"' } });
    const r = await client.get("/1.0/instances/runner-01", LxdInstance);
    expect(r.etag).toBe('"abc123"');
    expect(r.value).toMatchObject({ name: "runner-01", type: "container", status: "Running", profiles: ["default"] });
    expect(r.value.config["limits.memory"]).toBe("256MiB");
    expect(lxd.requests[0]?.headers.host).toBe("lxd");
  });

  it("turns recorded error envelopes into errors naming call, daemon and LXD's message", async () => {
    lxd.on("GET", "/1.0/instances/missing", { status: 404, json: fixture("error-instance-not-found") });
    const e = await client.get("/1.0/instances/missing", LxdInstance).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LxdError);
    expect(e).toMatchObject({ kind: "api", status: 404, notFound: true });
    expect((e as Error).message).toBe(`LXD GET /1.0/instances/missing on unix socket ${lxd.socket} failed (404): Instance not found`);
    expect(await client.find("/1.0/instances/missing", LxdInstance)).toBeUndefined();
  });

  it("reports a failed operation with LXD's err (recorded)", async () => {
    lxd.on("PUT", "/1.0/instances/runner-01/state", asyncOp("op-1", "Starting instance"));
    lxd.on("GET", "/1.0/operations/op-1/wait", { json: fixture("operation-failure") });
    const e = await client.operate("PUT", "/1.0/instances/runner-01/state", 10, { body: { action: "start" } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "operation", status: 400 });
    expect((e as Error).message).toMatch(/operation "Starting instance" ended Failure: The instance is already running$/);
  });

  it("waits for operations in bounded /wait slices and times out with the operation named", async () => {
    lxd.on("POST", "/1.0/instances", asyncOp("op-2", "Creating instance"));
    lxd.on("GET", "/1.0/operations/op-2/wait", { ...opDone("op-2", "Creating instance", null, "Running"), delayMs: 300 });
    const t0 = Date.now();
    const e = await client.operate("POST", "/1.0/instances", 1, { body: {} }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "timeout" });
    expect((e as Error).message).toBe(`LXD operation "Creating instance" on unix socket ${lxd.socket} did not finish within 1s`);
    expect(Date.now() - t0).toBeLessThan(5000);
    const waits = lxd.seen("GET", "/1.0/operations/op-2/wait");
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits[0]?.path).toBe("/1.0/operations/op-2/wait?timeout=1");
  });

  it("exec: record-output, exit code, both streams, recorded logs removed", async () => {
    const rec = fixture<{ metadata: { metadata: { output: Record<string, string>; return: number } } }>("exec-finished");
    const out = rec.metadata.metadata.output;
    lxd.on("POST", "/1.0/instances/runner-01/exec", asyncOp("op-3", "Executing command"));
    lxd.on("GET", "/1.0/operations/op-3/wait", opDone("op-3", "Executing command", { output: out, return: 2 }));
    lxd.on("GET", out["1"]!, { text: "status: done\n" });
    lxd.on("GET", out["2"]!, { text: "recoverable error\n" });
    lxd.on("DELETE", /\/logs\//, sync(null));
    const r = await client.exec("runner-01", ["cloud-init", "status", "--wait"], { timeoutSeconds: 5 });
    expect(r).toEqual({ exitCode: 2, stdout: "status: done\n", stderr: "recoverable error\n" });
    expect(lxd.seen("POST", "/1.0/instances/runner-01/exec")[0]?.body).toEqual({
      command: ["cloud-init", "status", "--wait"],
      environment: {},
      "record-output": true,
      "wait-for-websocket": false,
      interactive: false,
    });
    expect(lxd.seen("DELETE", /\/logs\//).map((s) => s.path).sort()).toEqual([out["1"], out["2"]].sort());
  });

  it("sends If-Match and surfaces a recorded 412", async () => {
    lxd.on("PUT", "/1.0/instances/runner-01", { status: 412, json: fixture("error-etag-mismatch") });
    const e = await client.operate("PUT", "/1.0/instances/runner-01", 5, { body: {}, ifMatch: '"stale"' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "api", status: 412 });
    expect((e as Error).message).toMatch(/failed \(412\): ETag doesn't match: [0-9a-f]{64} vs stale$/);
    expect(lxd.requests[0]?.headers["if-match"]).toBe('"stale"');
  });

  it("adds the project to every path of a non-default project", async () => {
    const c = new LxdClient({ remote: { kind: "unix", socket: lxd.socket, project: "lab" } });
    lxd.on("GET", "/1.0/instances", sync([]));
    lxd.on("GET", "/1.0/operations/x/wait", opDone("x", "t"));
    await c.get("/1.0/instances", z.array(z.string()));
    await c.wait("/1.0/operations/x", 5);
    expect(lxd.requests.map((r) => r.path)).toEqual(["/1.0/instances?project=lab", "/1.0/operations/x/wait?timeout=5&project=lab"]);
  });

  it("rejects answers that are not LXD envelopes, naming the call", async () => {
    lxd.on("GET", "/1.0", { json: { hello: "world" } });
    lxd.on("GET", "/1.0/instances", { status: 502, text: "<html>bad gateway</html>" });
    await expect(client.call("GET", "/1.0")).rejects.toMatchObject({ kind: "protocol" });
    await expect(client.call("GET", "/1.0/instances")).rejects.toThrow(/GET \/1\.0\/instances .*HTTP 502 with a non-JSON body: <html>bad gateway/);
    lxd.on("GET", "/1.0/instances/odd", sync({ name: "odd", type: "toaster" }));
    await expect(client.get("/1.0/instances/odd", LxdInstance)).rejects.toThrow(/unexpected response at type: /);
  });

  it("says clearly when the daemon is not there", async () => {
    const c = new LxdClient({ remote: { kind: "unix", socket: "/nonexistent/lxd.socket", project: "default" } });
    await expect(c.call("GET", "/1.0")).rejects.toThrow(
      /^cannot reach LXD at unix socket \/nonexistent\/lxd\.socket: .*ENOENT.* \(is the LXD daemon running and is this the right socket\/address\?\)$/,
    );
  });

  it("bounds each request in time", async () => {
    const c = new LxdClient({ remote: { kind: "unix", socket: lxd.socket, project: "default" }, requestTimeoutMs: 200 });
    lxd.on("GET", "/1.0", { ...sync({}), delayMs: 2000 });
    await expect(c.call("GET", "/1.0")).rejects.toMatchObject({ kind: "timeout" });
  });

  it("maps an error envelope sent with HTTP 200 too", async () => {
    lxd.on("GET", "/1.0/x", lxdError(500, "boom"));
    await expect(client.call("GET", "/1.0/x")).rejects.toThrow(/failed \(500\): boom$/);
  });
});
