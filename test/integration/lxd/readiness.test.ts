import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LxdInstance as LxdInstanceSchema } from "../../../components/lxd/api.ts";
import * as impl from "../../../components/lxd/instance-impl.ts";
import type { InstanceOutputs } from "../../../components/lxd/instance-impl.ts";
import { ReadinessError } from "../../../components/lxd/readiness.ts";
import { cleanupInstances, client, containerInputs, instanceName, cli, requireLxd } from "./lxd-env.ts";

/**
 * Readiness stages on real containers. The test image ships a stand-in for
 * `cloud-init status --wait` whose outcome comes from environment.LABFLEET_CLOUD_INIT
 * (done | degraded | error | hang), so the exec-API path runs for real.
 */

type Props = Record<string, unknown>;

async function checked(inputs: Props): Promise<Props> {
  const r = await impl.check({}, inputs);
  if (!("inputs" in r) || !r.inputs) throw new Error(`check failed: ${JSON.stringify(r)}`);
  return r.inputs;
}

async function createError(inputs: Props): Promise<ReadinessError> {
  const err = await impl.create(await checked(inputs)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ReadinessError)) throw new Error(`expected a ReadinessError, got ${String(err)}`);
  return err;
}

async function gone(name: string): Promise<boolean> {
  return (await client.find(`/1.0/instances/${name}`, LxdInstanceSchema)) === undefined;
}

const withCloudInit = (outcome: string, timeoutSeconds: number) => ({
  readiness: { timeoutSeconds, cloudInit: true },
  config: { "environment.LABFLEET_CLOUD_INIT": outcome },
});

beforeAll(requireLxd);
afterAll(cleanupInstances);

describe("readiness on the real LXD daemon", () => {
  it("waits for cloud-init through the exec API and reports done / degraded", async () => {
    const a = instanceName("ci-done");
    const b = instanceName("ci-degraded");
    const [ra, rb] = await Promise.all([
      impl.create(await checked(containerInputs(a, withCloudInit("done", 60)))),
      impl.create(await checked(containerInputs(b, withCloudInit("degraded", 60)))),
    ]);
    expect(ra.outs.cloudInit).toBe("done");
    expect(rb.outs.cloudInit).toBe("degraded");
    await Promise.all([impl.delete(a, ra.outs as unknown as Props), impl.delete(b, rb.outs as unknown as Props)]);
    expect(await gone(a)).toBe(true);
    expect(await gone(b)).toBe(true);
  });

  it("times out in the ipv4 stage when the instance has no network; the instance is removed", async () => {
    const name = instanceName("no-net");
    const t0 = Date.now();
    const err = await createError(containerInputs(name, { devices: { eth0: { type: "none" } }, readiness: { timeoutSeconds: 4, cloudInit: false } }));
    expect(err.stage).toBe("ipv4");
    expect(err.timedOut).toBe(true);
    expect(err.message).toMatch(new RegExp(`^instance "${name}" on unix socket .* is not ready: stage "ipv4" timed out \\(readiness.timeoutSeconds=4, .*no global IPv4 address.*; the instance was stopped and deleted$`));
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await gone(name)).toBe(true);
  });

  it("times out in the cloud-init stage when cloud-init never finishes; the instance is removed", async () => {
    const name = instanceName("ci-hang");
    const err = await createError(containerInputs(name, withCloudInit("hang", 5)));
    expect(err.stage).toBe("cloud-init");
    expect(err.timedOut).toBe(true);
    expect(err.message).toMatch(/stage "cloud-init" timed out .*`cloud-init status --wait` did not finish; the instance was stopped and deleted$/);
    expect(await gone(name)).toBe(true);
  });

  it("fails the cloud-init stage with cloud-init's own output when it reports an error", async () => {
    const name = instanceName("ci-error");
    const err = await createError(containerInputs(name, withCloudInit("error", 30)));
    expect(err.stage).toBe("cloud-init");
    expect(err.timedOut).toBe(false);
    expect(err.message).toMatch(/cloud-init finished with an error \(exit 1\): status: error \| runcmd failed \(stand-in\); the instance was stopped and deleted$/);
    expect(await gone(name)).toBe(true);
  });

  it("on update, a stopped instance is started and checked; a failure leaves it updated and says its state", async () => {
    const name = instanceName("upd");
    const first = await checked(containerInputs(name, withCloudInit("done", 30)));
    const { outs } = await impl.create(first);
    await cli("stop", name);
    const r = await impl.read(name, outs as unknown as Props);
    const next = await checked(containerInputs(name, withCloudInit("hang", 4)));
    const err = await impl.update(name, r.props as Props, next).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReadinessError);
    expect((err as ReadinessError).stage).toBe("cloud-init");
    expect((err as ReadinessError).message).toMatch(/; the instance is Running \(its configuration is updated\)$/);
    const inst = (await client.get(`/1.0/instances/${name}`, LxdInstanceSchema)).value;
    expect(inst.config["environment.LABFLEET_CLOUD_INIT"]).toBe("hang");
    expect(inst.status).toBe("Running");
    // a later read shows it as it is, and delete still works
    const again = (await impl.read(name, outs as unknown as Props)).props as unknown as InstanceOutputs;
    expect(again.status).toBe("Running");
    await impl.delete(name, again as unknown as Props);
    expect(await gone(name)).toBe(true);
  });
});
