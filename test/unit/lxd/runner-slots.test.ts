import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { gitlabRunnerConfig, tomlString } from "../../../components/lxd/gitlab-runner-config.ts";
import { Inventory } from "../../../hardware/schema/inventory.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { plan } from "../../helpers/cli.ts";
import { isSecretInput, one, type PlanResource, runProgram } from "../../helpers/program.ts";

/**
 * The runner host's HUT integration as the real program registers it (mock runtime): sshd accepts
 * the hut environment, the runner's slots are its HUT_INVENTORY file, and gitlab-runner gets one
 * [[runners]] entry per slot label with the RoleRepos runner token — which stays secret.
 */

const FILE = "pulumi-nodejs:dynamic/lxd:LxdInstanceFile";
const INSTANCE = "pulumi-nodejs:dynamic/lxd:LxdInstance";
const GITLAB_RUNNER = "pulumi-nodejs:dynamic/gitlab:Runner";
const KEY = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA\n-----END PRIVATE KEY-----\n";
const GITLAB_URL = "https://gitlab.lab.example.org";
/** The offline mocks' runner authentication token (tools/plan/mocks.ts). */
const TOKEN = /glrt-offline-[\w-]+/;

/** Parses TOML with a real parser (Python's tomllib), not with our own renderer's assumptions. */
function toml(text: string): Record<string, unknown> {
  const r = spawnSync("python3", ["-c", "import sys, tomllib, json; print(json.dumps(tomllib.loads(sys.stdin.read())))"], { input: text, encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`tomllib rejected the config: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

type RunnerEntry = { name: string; url: string; token: string; executor: string; shell: string; limit: number; environment: string[] };

function content(r: PlanResource): string {
  const c = r.inputs.content;
  if (typeof c !== "string") throw new Error(`${r.name}: content is not a known string`);
  return c;
}

function stackYaml(stack: string): Record<string, unknown> {
  return (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
}

/** Staging with two container runners on this host's socket and a third slot on `local`. */
function twoRunners() {
  const hut = stackYaml("staging")["labfleet:hut"] as { slots: Record<string, unknown>[] } & Record<string, unknown>;
  const [s1, s2] = hut.slots as [Record<string, unknown>, Record<string, unknown>];
  return runProgram({
    stack: "staging",
    secrets: { "labfleet:lxdClientKey": KEY },
    config: {
      "labfleet:lxd": {
        remotes: { here: { kind: "unix" } },
        runners: [
          { name: "runner-a", remote: "here", type: "container", sshPublicKey: "ssh-ed25519 AAAA a", wireguard: false },
          { name: "runner-b", remote: "here", type: "container", sshPublicKey: "ssh-ed25519 AAAA b", wireguard: false },
        ],
      },
      "labfleet:hut": {
        ...hut,
        slots: [
          { ...s1, runner: "runner-a" },
          { ...s2, runner: "runner-b" },
          { id: "hut-03", label: "esp32-hut-03", runner: "local", serialById: "/dev/serial/by-id/usb-local-03", relay: { entity: "switch.hut_03_power" } },
        ],
      },
    },
  });
}

describe("runner host HUT integration (staging, mock runtime)", () => {
  it("cloud-init: sshd accepts HA_URL/HA_TOKEN through a drop-in and gitlab-runner is installed", async () => {
    const hut = stackYaml("staging")["labfleet:hut"] as Record<string, unknown>;
    const run = await runProgram({ stack: "staging", secrets: { "labfleet:lxdClientKey": KEY }, config: { "labfleet:hut": { ...hut, powerCycleNonce: "n1" } } });
    const inst = one(run.resources, INSTANCE, "runner-staging-01-instance");
    const doc = parse((inst.inputs.config as Record<string, string>)["cloud-init.user-data"]!) as {
      packages: string[];
      write_files: { path: string; content: string }[];
      runcmd: string[][];
      apt: { sources: Record<string, { source: string; keyid: string }> };
    };
    const dropIn = doc.write_files.find((f) => f.path === "/etc/ssh/sshd_config.d/60-labfleet-hut.conf");
    expect(dropIn?.content).toMatch(/^AcceptEnv HA_URL HA_TOKEN$/m);
    expect(doc.runcmd).toContainEqual(["sh", "-c", "sshd -t && systemctl try-reload-or-restart ssh.service"]);
    expect(doc.packages).toContain("gitlab-runner");
    expect(doc.apt.sources["gitlab-runner"]).toEqual({
      source: "deb [signed-by=$KEY_FILE] https://packages.gitlab.com/runner/gitlab-runner/ubuntu/ $RELEASE main",
      keyid: "F6403F6544A38863DAA0B6E03F01618A51312F3F",
    });
    // the power-cycle command sends exactly what sshd accepts
    const pc = one(run.resources, "pulumi-nodejs:dynamic/hut:HutAction", "hut-01-power-cycle");
    expect(Object.keys(pc.inputs.environment as object).sort()).toEqual(["HA_TOKEN", "HA_URL"]);
  });

  it("the inventory file holds exactly the runner's slots (Inventory schema), as HutSlot feeds them on stdin", async () => {
    const run = await twoRunners();
    const files = run.resources.filter((r) => r.type === FILE);
    expect(files.map((f) => f.name).sort()).toEqual([
      "runner-a-gitlab-runner",
      "runner-a-gitlab-runner-env", // the runner role's credentials, on every runner host
      "runner-a-hut-inventory",
      "runner-b-gitlab-runner",
      "runner-b-gitlab-runner-env",
      "runner-b-hut-inventory",
    ]);
    for (const [runner, ids] of [
      ["runner-a", ["hut-01"]],
      ["runner-b", ["hut-02"]],
    ] as const) {
      const f = one(run.resources, FILE, `${runner}-hut-inventory`);
      expect(f.inputs).toMatchObject({ instance: runner, path: "/etc/labfleet/hut-inventory.yaml", mode: "0644" });
      expect(f.inputs.apply).toBeUndefined();
      expect(f.secretPaths).not.toContain("content");
      expect(f.parent).toBe(one(run.resources, "labfleet:lxd:RunnerVm", runner).urn);
      const inv = Inventory.parse(parse(content(f)));
      expect(inv.slots.map((s) => s.id)).toEqual(ids);
      expect(inv.homeAssistant?.url).toBe("https://ha.staging.lab.example.org");
      // the same slot record the slot's command resources get on stdin
      const flash = one(run.resources, "pulumi-nodejs:dynamic/hut:HutAction", `${ids[0]}-flash`);
      expect(inv.slots).toEqual(Inventory.parse(JSON.parse(String(flash.inputs.stdin))).slots);
      expect(content(f)).not.toMatch(/token/i);
    }
  });

  it("config.toml: secret content, 0600 root, one [[runners]] per label on that runner with the GitLab URL and its token", async () => {
    const run = await twoRunners();
    // GitLab has a runner for every label, the local slot's included; only runner hosts get files
    expect(run.resources.filter((r) => r.type === GITLAB_RUNNER).map((r) => r.inputs.label)).toEqual(["esp32-hut-01", "esp32-hut-02", "esp32-hut-03"]);
    for (const [runner, label] of [
      ["runner-a", "esp32-hut-01"],
      ["runner-b", "esp32-hut-02"],
    ] as const) {
      const f = one(run.resources, FILE, `${runner}-gitlab-runner`);
      expect(f.inputs).toMatchObject({ instance: runner, path: "/etc/gitlab-runner/config.toml", mode: "0600", uid: 0, gid: 0 });
      expect(isSecretInput(f, "content")).toBe(true);
      expect(f.additionalSecretOutputs).toEqual(expect.arrayContaining(["content", "clientKey"]));
      expect(f.redactedInputs.content).toBe("[secret]");
      expect(f.inputs.apply).toEqual(["sh", "-c", "chmod 0700 /etc/gitlab-runner && systemctl enable gitlab-runner && systemctl restart gitlab-runner"]);
      expect(f.inputs.remove).toEqual(["sh", "-c", "systemctl disable --now gitlab-runner || true"]);
      // written after GitLab created the runner (the token is its output)
      expect(f.dependencies).toContain(one(run.resources, GITLAB_RUNNER, `gitlab-runner-${label}`).urn);
      const doc = toml(content(f)) as { concurrent: number; runners: RunnerEntry[] };
      expect(doc.concurrent).toBe(1);
      expect(doc.runners).toEqual([
        {
          name: label,
          url: GITLAB_URL,
          token: `glrt-offline-gitlab-runner-${label}`,
          executor: "shell",
          shell: "bash",
          limit: 1,
          environment: ["HUT_INVENTORY=/etc/labfleet/hut-inventory.yaml", `HUT_SLOT=hut-0${label.slice(-1)}`],
        },
      ]);
    }
  });

  it("the committed staging stack: one runner carries both slots, so its config.toml has two [[runners]]", async () => {
    const run = await runProgram({ stack: "staging", secrets: { "labfleet:lxdClientKey": KEY } });
    const f = one(run.resources, FILE, "runner-staging-01-gitlab-runner");
    const doc = toml(content(f)) as { concurrent: number; runners: RunnerEntry[] };
    expect(doc.concurrent).toBe(2);
    expect(doc.runners.map((r) => [r.name, r.url, r.token])).toEqual([
      ["esp32-hut-01", GITLAB_URL, "glrt-offline-gitlab-runner-esp32-hut-01"],
      ["esp32-hut-02", GITLAB_URL, "glrt-offline-gitlab-runner-esp32-hut-02"],
    ]);
    const inv = Inventory.parse(parse(content(one(run.resources, FILE, "runner-staging-01-hut-inventory"))));
    expect(inv.slots.map((s) => s.label)).toEqual(["esp32-hut-01", "esp32-hut-02"]);
  });

  it("the runner token appears in no non-secret input and no printed output", async () => {
    const run = await runProgram({ stack: "staging", secrets: { "labfleet:lxdClientKey": KEY } });
    const carriers = run.resources.filter((r) => TOKEN.test(JSON.stringify(r.inputs)));
    expect(carriers.map((r) => r.name)).toEqual(["runner-staging-01-gitlab-runner"]);
    for (const r of carriers) for (const [k, v] of Object.entries(r.inputs)) if (TOKEN.test(JSON.stringify(v))) expect(isSecretInput(r, k), `${r.name}.${k}`).toBe(true);
    for (const r of run.resources) expect(JSON.stringify(r.redactedInputs), r.name).not.toMatch(TOKEN);
    expect(JSON.stringify(run.outputs.redacted)).not.toMatch(TOKEN);
    expect(run.outputs.secretPaths).toContain("gitlabRunnerTokens");
  });

  it("the local stack (slots on `local`, no GitLab) pushes no runner files", async () => {
    const run = await runProgram({ stack: "local" });
    expect(run.resources.filter((r) => r.type === FILE)).toEqual([]);
  });
});

describe("npm run plan -- --stack staging --json", { timeout: 240_000 }, () => {
  it("the preview knows config.toml's content, token included (so the plan below has it to hide)", async () => {
    const run = await runProgram({ stack: "staging", preview: true });
    expect(content(one(run.resources, FILE, "runner-staging-01-gitlab-runner"))).toMatch(TOKEN);
  });

  it("lists the runner files, shows config.toml's content as [secret] and never the token", () => {
    const r = plan(["--stack", "staging", "--json"]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(TOKEN);
    expect(r.stderr).not.toMatch(TOKEN);
    const doc = JSON.parse(r.stdout) as { resources: { type: string; name: string; inputs: Record<string, unknown> }[] };
    const f = doc.resources.find((x) => x.type === FILE && x.name === "runner-staging-01-gitlab-runner");
    expect(f?.inputs).toMatchObject({ path: "/etc/gitlab-runner/config.toml", mode: "0600", content: "[secret]" });
    expect(doc.resources.find((x) => x.name === "runner-staging-01-hut-inventory")?.inputs.path).toBe("/etc/labfleet/hut-inventory.yaml");
  });
});

describe("gitlabRunnerConfig", () => {
  it("escapes TOML strings and names a missing token without printing any token", () => {
    expect(tomlString('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\u000a\\u0001"');
    expect(toml(`x = ${tomlString('a"b\\c\n\u0001\u007f')}\n`)).toEqual({ x: 'a"b\\c\n\u0001\u007f' });
    const args = { url: GITLAB_URL, runner: "r1", slots: [{ label: "a", slotId: "hut-01" }, { label: "b", slotId: "hut-02" }] };
    expect(() => gitlabRunnerConfig({ ...args, tokens: { a: "glrt-secret-a" } })).toThrow(
      'gitlab-runner config of r1: no runner authentication token for slot label "b" (RoleRepos.ciRunnerTokens)',
    );
    let message = "";
    try {
      gitlabRunnerConfig({ ...args, tokens: { a: "glrt-secret-a", b: 'glrt-"x' } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('gitlab-runner config of r1: the runner token of slot label "b" has unexpected characters');
    expect(message).not.toContain("glrt");
  });
});
