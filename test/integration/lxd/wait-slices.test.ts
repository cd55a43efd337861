import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LxdClient, LxdError } from "../../../components/lxd/client.ts";
import * as impl from "../../../components/lxd/instance-impl.ts";
import { DAEMON, cleanupInstances, containerInputs, instanceName, requireLxd, unixRemote } from "./lxd-env.ts";

/**
 * An operation longer than one `/wait` slice, on the real daemon: LXD 5.0 answers a slice that
 * runs out with the running operation, Incus 6.0 with an error envelope ("context deadline
 * exceeded"). Either way the client keeps waiting until the operation ends or its own time runs out.
 */
const SLICE_SECONDS = 2;
const name = instanceName("slices");
const sliced = new LxdClient({ remote: unixRemote, waitSliceSeconds: SLICE_SECONDS });

beforeAll(async () => {
  await requireLxd();
  const r = await impl.check({}, containerInputs(name));
  if (!("inputs" in r) || !r.inputs) throw new Error(JSON.stringify(r));
  await impl.create(r.inputs);
});
afterAll(cleanupInstances);

describe(`operations longer than a wait slice on ${DAEMON}`, () => {
  it("an exec of 5 s through 2 s slices finishes with its exit code and output", async () => {
    const t0 = Date.now();
    const r = await sliced.exec(name, ["sh", "-c", "sleep 5; echo slept; exit 3"], { timeoutSeconds: 30 });
    const seconds = (Date.now() - t0) / 1000;
    expect(r).toEqual({ exitCode: 3, stdout: "slept\n", stderr: "" });
    expect(seconds).toBeGreaterThanOrEqual(5);
    expect(seconds).toBeLessThan(5 + 2 * SLICE_SECONDS + 5);
  });

  it("an operation still running at the caller's own limit is a timeout, not a daemon error", async () => {
    const e = await sliced.exec(name, ["sleep", "8"], { timeoutSeconds: 3 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LxdError);
    expect((e as LxdError).kind).toBe("timeout");
    expect((e as LxdError).message).toMatch(/did not finish within 3s$/);
  });
});
