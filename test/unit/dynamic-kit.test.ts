import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { DynamicResource } from "../../components/dynamic.ts";
import { checkInputs } from "../../components/dynamic-inputs.ts";
import { FleetRollout } from "../../components/fleet/rollout-resource.ts";
import { GitlabProjectAccessToken } from "../../components/gitlab/access-token.ts";
import { GitlabBootstrapFiles } from "../../components/gitlab/bootstrap-files.ts";
import { GitlabCiVariable } from "../../components/gitlab/ci-variable.ts";
import { GitlabGroup } from "../../components/gitlab/group.ts";
import { GitlabPipelineSchedule } from "../../components/gitlab/pipeline-schedule.ts";
import { GitlabProject } from "../../components/gitlab/project.ts";
import { GitlabProtectedBranch } from "../../components/gitlab/protected-branch.ts";
import { GitlabRoleBoundary } from "../../components/gitlab/role-boundary.ts";
import { CiRunner } from "../../components/gitlab/runner.ts";
import { GitlabTokenRetirement } from "../../components/gitlab/token-retirement.ts";
import { HutAction } from "../../components/hut/hut-action.ts";
import { LxdInstance } from "../../components/lxd/instance.ts";
import { LxdInstanceFile } from "../../components/lxd/instance-file.ts";
import { WireGuardHubState } from "../../components/wireguard/hub-state.ts";
import { WireGuardPeer } from "../../components/wireguard/peer.ts";

/** The dynamic-provider kit (components/dynamic.ts): one resource base, one check. */

type Ctor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => DynamicResource;

/** Every dynamic resource type, with the secret outputs it adds of its own. */
const RESOURCES: [Ctor, string[]][] = [
  [FleetRollout as Ctor, ["privateKey"]],
  [GitlabProjectAccessToken as Ctor, ["gitlabToken", "token"]],
  [GitlabBootstrapFiles as Ctor, ["gitlabToken"]],
  [GitlabCiVariable as Ctor, ["gitlabToken", "value"]],
  [GitlabGroup as Ctor, ["gitlabToken"]],
  [GitlabPipelineSchedule as Ctor, ["gitlabToken"]],
  [GitlabProject as Ctor, ["gitlabToken"]],
  [GitlabProtectedBranch as Ctor, ["gitlabToken"]],
  [GitlabRoleBoundary as Ctor, ["gitlabToken", "subjectToken"]],
  [CiRunner as Ctor, ["gitlabToken", "token"]],
  [GitlabTokenRetirement as Ctor, ["gitlabToken"]],
  [HutAction as Ctor, ["environment", "connection"]],
  [LxdInstance as Ctor, ["clientKey"]],
  [LxdInstanceFile as Ctor, ["content", "clientKey"]],
  [WireGuardHubState as Ctor, ["sshPrivateKey"]],
  [WireGuardPeer as Ctor, ["privateKey", "presharedKeyValue", "clientConfig", "qrCodeSvg", "sshPrivateKey", "deliveryPrivateKey"]],
];

const registered = new Map<string, { type: string; additionalSecretOutputs: string[] }>();

beforeAll(async () => {
  await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, "labfleet", "kit", false);
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: { getType(): string; getName(): string; getAdditionalsecretoutputsList(): string[] }, cb: unknown): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    registered.set(req.getName(), { type: req.getType(), additionalSecretOutputs: req.getAdditionalsecretoutputsList() });
    register(req, cb);
  };
});

const registeredOf = async (r: pulumi.Resource) => {
  await new Promise<void>((resolve) => r.urn.apply(() => resolve()));
  return registered.get(await new Promise<string>((resolve) => r.urn.apply((u) => resolve(u.split("::").at(-1) ?? ""))));
};

describe("dynamic resources", () => {
  it.each(RESOURCES.map(([ctor, own]) => [ctor.name, ctor, own] as const))("%s keeps a caller's additionalSecretOutputs next to its own", async (name, ctor, own) => {
    const r = new ctor(`kit-${name}`, { name: "x" } as never, { additionalSecretOutputs: ["callerSecret", own[0]!] });
    const seen = await registeredOf(r);
    expect(seen?.type).toMatch(/^pulumi-nodejs:dynamic\//);
    expect(seen?.additionalSecretOutputs).toEqual(["callerSecret", ...own]);
  });

  it("covers every resource built on the kit, and nothing else talks to delegatingProvider", () => {
    const dirs = readdirSync("components", { withFileTypes: true }).filter((d) => d.isDirectory());
    const users: string[] = [];
    for (const d of dirs) {
      for (const f of readdirSync(join("components", d.name))) {
        const text = readFileSync(join("components", d.name, f), "utf8");
        expect(text, f).not.toContain("delegatingProvider(");
        expect(text, f).not.toContain(pulumi.runtime.unknownValue);
        for (const m of text.matchAll(/class (\w+) extends DynamicResource/g)) users.push(m[1]!);
      }
    }
    expect(users.sort()).toEqual(RESOURCES.map(([c]) => c.name).sort());
  });
});

describe("checkInputs", () => {
  const Schema = z
    .strictObject({ cidr: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/), address: z.string(), port: z.number().default(22), key: z.string().min(3) })
    .superRefine((v, ctx) => {
      if (!v.address.startsWith(v.cidr.split(".")[0]!)) ctx.addIssue({ code: "custom", path: ["address"], message: "outside the CIDR" });
    });
  const UNKNOWN = pulumi.runtime.unknownValue;

  it("normalises, and names each bad property with an optional label", () => {
    expect(checkInputs(Schema, { cidr: "10.0.0.0/24", address: "10.0.0.2", key: "abc", __provider: "x" })).toEqual({
      inputs: { cidr: "10.0.0.0/24", address: "10.0.0.2", port: 22, key: "abc" },
    });
    expect(checkInputs(Schema, { cidr: "10.0.0.0/24", address: "10.0.0.2", key: "ab" }, { label: "peer" })).toEqual({
      failures: [{ property: "key", reason: "peer: key: Too small: expected string to have >=3 characters" }],
    });
  });

  it("does not judge values not known yet, at any depth, and keeps them", () => {
    const news = { cidr: UNKNOWN, address: "11.0.0.2", key: { nested: [UNKNOWN] } };
    expect(checkInputs(Schema, news)).toEqual({ inputs: news });
    // With a stand-in, the known inputs are still judged against the unknown one.
    expect(checkInputs(Schema, news, { standIns: { cidr: "10.0.0.0/24", key: "abc" } })).toEqual({
      failures: [{ property: "address", reason: "outside the CIDR" }],
    });
    expect(checkInputs(Schema, { ...news, address: "10.0.0.2" }, { standIns: { cidr: "10.0.0.0/24", key: "abc" } })).toEqual({
      inputs: { ...news, address: "10.0.0.2", port: 22 },
    });
  });
});
