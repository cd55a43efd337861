import { describe, expect, it } from "vitest";
import { ROOT } from "../../../tools/plan/run.ts";
import { callSerializedProvider } from "../../helpers/dynamic.ts";
import { one, runProgram } from "../../helpers/program.ts";

/**
 * The LxdInstance provider survives Pulumi's closure serialization and runs in a plain CommonJS
 * `node` (no tsx loader, cwd = project root), loading its implementation at run time.
 */
describe("serialized LxdInstance provider in a plain node host", () => {
  it("check normalises the registered inputs; diff answers; bad input is named", async () => {
    const run = await runProgram({ stack: "local" });
    const inst = one(run.resources, "pulumi-nodejs:dynamic/lxd:LxdInstance", "runner-local-instance");
    const provider = inst.inputs.__provider as string;
    expect(provider).toContain("exports.handler");
    // nothing of this checkout is frozen into it: the impl is resolved from the host's cwd
    expect(provider).not.toContain(ROOT);
    const { __provider: _, ...inputs } = inst.inputs;

    const checked = callSerializedProvider(provider, "check", [{}, inputs]);
    if (!checked.ok) throw new Error(checked.error);
    const normalized = (checked.result as { inputs: Record<string, unknown> }).inputs;
    expect(normalized).toMatchObject({
      name: "runner-local",
      type: "container",
      config: { "limits.cpu": "2", "limits.memory": "2GiB", "security.nesting": "true" },
      readiness: { timeoutSeconds: 120, cloudInit: false, ipv4: true },
      operationTimeoutSeconds: 1800,
    });
    expect(normalized).not.toHaveProperty("limits");

    const diff = callSerializedProvider(provider, "diff", ["runner-local", { ...normalized, status: "Running" }, { ...normalized, image: { alias: "other" } }]);
    expect(diff).toEqual({ ok: true, result: { changes: true, replaces: ["image"], deleteBeforeReplace: true } });

    const bad = callSerializedProvider(provider, "check", [{}, { ...inputs, name: "1-bad" }]);
    expect(bad.ok && (bad.result as { failures: { property: string }[] }).failures.map((f) => f.property)).toEqual(["name"]);
  });

  it("the LxdInstanceFile provider (runner WireGuard config) loads and checks in the same host", async () => {
    const key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA\n-----END PRIVATE KEY-----\n";
    const run = await runProgram({ stack: "staging", secrets: { "labfleet:lxdClientKey": key } });
    const file = one(run.resources, "pulumi-nodejs:dynamic/lxd:LxdInstanceFile", "runner-staging-01-wireguard");
    const { __provider, ...inputs } = file.inputs;
    expect(__provider as string).not.toContain(ROOT);
    const checked = callSerializedProvider(__provider as string, "check", [{}, { ...inputs, content: "[Interface]\n", instanceUuid: "u-1" }]);
    if (!checked.ok) throw new Error(checked.error);
    expect((checked.result as { inputs: Record<string, unknown> }).inputs).toMatchObject({ mode: "0600", uid: 0, gid: 0, path: "/etc/wireguard/labfleet.conf" });
  });
});
