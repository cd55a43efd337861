import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LxdInstance as LxdInstanceSchema } from "../../../components/lxd/api.ts";
import { callSerializedProvider } from "../../helpers/dynamic.ts";
import { one, runProgram } from "../../helpers/program.ts";
import { BRIDGE_PREFIX, IMAGE, cleanupInstances, client, instanceName, requireLxd, unixRemote } from "./lxd-env.ts";

/**
 * End to end through the house recipe: the provider serialized by Pulumi (local stack plan),
 * run in a plain `node` host like Pulumi's dynamic-provider host, against the real daemon.
 */
beforeAll(requireLxd);
afterAll(cleanupInstances);

function call(provider: string, method: string, args: unknown[]) {
  const r = callSerializedProvider(provider, method, args);
  if (!r.ok) throw new Error(`${method}: ${r.error}`);
  return r.result as Record<string, unknown>;
}

describe("serialized LxdInstance provider on the real daemon", () => {
  it("check → create → read → delete from a plain node host", async () => {
    const run = await runProgram({ stack: "local" });
    const inst = one(run.resources, "pulumi-nodejs:dynamic/lxd:LxdInstance", "runner-local-instance");
    const { __provider, ...registered } = inst.inputs;
    const provider = __provider as string;
    const name = instanceName("host");
    // The local stack's remote is LXD's socket; the daemon under test may be Incus.
    const inputs = { ...registered, remote: unixRemote, name, limits: { cpu: 1, memory: "128MiB" }, rootDisk: { size: "1GiB" }, stopTimeoutSeconds: 5 };
    expect(inputs).toMatchObject({ image: { alias: IMAGE }, type: "container" });

    const checked = call(provider, "check", [{}, inputs]).inputs as Record<string, unknown>;
    const created = call(provider, "create", [checked]);
    expect(created.id).toBe(name);
    const outs = created.outs as Record<string, unknown>;
    expect(outs.status).toBe("Running");
    expect(String(outs.ipv4).startsWith(BRIDGE_PREFIX)).toBe(true);
    const live = (await client.get(`/1.0/instances/${name}`, LxdInstanceSchema)).value;
    expect(live.config["user.labfleet.component"]).toBe("lxd/RunnerVm");
    expect(live.config["security.nesting"]).toBe("true");

    const read = call(provider, "read", [name, outs]);
    expect((read.props as { drift: string[] }).drift).toEqual([]);
    call(provider, "delete", [name, outs]);
    expect(await client.find(`/1.0/instances/${name}`, LxdInstanceSchema)).toBeUndefined();
    expect(call(provider, "read", [name, outs])).toEqual({});
  }, 180_000); // the local stack program runs first (about a minute on a loaded 2-core host)
});
