import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../../../tools/plan/run.ts";
import { type PlanResource, isSecretInput, one, runProgram } from "../../helpers/program.ts";

/** RunnerHost as the real program registers it, on Pulumi's mock runtime. */

const INSTANCE = "pulumi-nodejs:dynamic/lxd:LxdInstance";
const RUNNER = "labfleet:lxd:RunnerVm";
const KEY = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA\n-----END PRIVATE KEY-----\n";

function userData(r: PlanResource): Record<string, unknown> {
  const text = (r.inputs.config as Record<string, string>)["cloud-init.user-data"];
  if (!text) throw new Error("no cloud-init.user-data");
  expect(text.startsWith("#cloud-config\n")).toBe(true);
  return parse(text) as Record<string, unknown>;
}

describe("RunnerHost in the local stack", () => {
  it("is a container from the local image on this host's socket, without cloud-init", async () => {
    const run = await runProgram({ stack: "local" });
    const vm = one(run.resources, RUNNER, "runner-local");
    const inst = one(run.resources, INSTANCE, "runner-local-instance");
    expect(inst.parent).toBe(vm.urn);
    expect(inst.inputs).toMatchObject({
      remote: { kind: "unix", socket: "/var/lib/lxd/unix.socket", project: "default" },
      name: "runner-local",
      type: "container",
      image: { alias: "labfleet-runner" },
      profiles: ["default"],
      limits: { cpu: 2, memory: "2GiB" },
      rootDisk: { size: "10GiB" },
      devices: {},
      readiness: { timeoutSeconds: 120, cloudInit: false, ipv4: true },
      stopTimeoutSeconds: 30,
    });
    const config = inst.inputs.config as Record<string, string>;
    expect(config["security.nesting"]).toBe("true");
    expect(config["cloud-init.user-data"]).toBeUndefined();
    expect(config["user.labfleet.environment"]).toBe("local");
    expect(config["user.labfleet.component"]).toBe("lxd/RunnerVm");
    expect(config["user.labfleet.managed-by"]).toBe("pulumi");
    expect(inst.inputs.clientKey).toBeUndefined();
    expect(run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/lxd:LxdInstanceFile")).toEqual([]);
    expect(inst.additionalSecretOutputs).toContain("clientKey");
    expect(typeof inst.inputs.__provider).toBe("string");
    expect(run.outputs.plain).toMatchObject({ runners: { "runner-local": { name: "runner-local", sshUser: "runner" } } });
  });
});

describe("RunnerHost in the staging stack", () => {
  const staging = () => runProgram({ stack: "staging", secrets: { "labfleet:lxdClientKey": KEY } });

  it("is a VM from the Ubuntu image server over HTTPS with the client key as a secret", async () => {
    const run = await staging();
    const inst = one(run.resources, INSTANCE, "runner-staging-01-instance");
    expect(inst.inputs).toMatchObject({
      remote: { kind: "https", url: "https://lxd.staging.lab.example.org:8443", project: "default" },
      type: "virtual-machine",
      image: { alias: "24.04", server: "https://cloud-images.ubuntu.com/releases" },
      limits: { cpu: 2, memory: "4GiB" },
      rootDisk: { size: "40GiB" },
      readiness: { timeoutSeconds: 900, cloudInit: true },
    });
    expect(inst.inputs.clientKey).toBe(KEY);
    expect(isSecretInput(inst, "clientKey")).toBe(true);
    expect(inst.additionalSecretOutputs).toEqual(["clientKey"]);
    expect(JSON.stringify(inst.redactedInputs)).not.toContain("PRIVATE KEY");
  });

  it("passes each of its HUT slots' adapters through as usb devices (vendorid/productid/serial)", async () => {
    const inst = one((await staging()).resources, INSTANCE, "runner-staging-01-instance");
    expect(inst.inputs.devices).toEqual({
      "hut-01-usb": { type: "usb", vendorid: "10c4", productid: "ea60", serial: "5a1c" },
      "hut-02-usb": { type: "usb", vendorid: "1a86", productid: "55d4", serial: "5434019283" },
    });
  });

  it("carries the runner baseline as cloud-init user-data", async () => {
    const inst = one((await staging()).resources, INSTANCE, "runner-staging-01-instance");
    const doc = userData(inst);
    expect(doc.packages).toEqual(
      expect.arrayContaining(["git", "openssh-server", "curl", "jq", "python3", "docker.io", "docker-buildx", "docker-compose-v2"]),
    );
    expect(doc.ssh_pwauth).toBe(false);
    expect(doc.users).toEqual([
      "default",
      {
        name: "runner",
        gecos: "labfleet CI runner",
        shell: "/bin/bash",
        groups: ["dialout", "plugdev"],
        lock_passwd: true,
        ssh_authorized_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOs3ZxkWJ3vfQp1kE2yH1jR4Zq5bC8L0nT9dM7aX2uVw runner@labfleet"],
      },
    ]);
    expect(doc.runcmd).toEqual([
      ["systemctl", "enable", "--now", "docker"],
      ["usermod", "-aG", "docker", "runner"],
      ["python3", "-m", "venv", "/opt/esptool"],
      ["/opt/esptool/bin/pip", "install", "--disable-pip-version-check", "esptool==5.6.0"],
      ["ln", "-sf", "/opt/esptool/bin/esptool", "/usr/local/bin/esptool"],
      ["snap", "install", "node", "--classic", "--channel=20/stable"],
      ["sh", "-c", "sshd -t && systemctl try-reload-or-restart ssh.service"],
      ["usermod", "-aG", "dialout,plugdev", "gitlab-runner"],
      ["install", "-d", "-m", "0700", "-o", "root", "-g", "root", "/etc/gitlab-runner"],
    ]);
    // only fixed baseline files: nothing from the inventory, no secret
    expect((doc.write_files as { path: string }[]).map((f) => f.path)).toEqual([
      "/etc/ssh/sshd_config.d/60-labfleet-hut.conf",
      "/etc/profile.d/labfleet-hut.sh",
      "/etc/environment",
    ]);
    expect(isSecretInput(inst, "config")).toBe(false);
  });

  it("exports the runner's address, SSH user and status", async () => {
    const run = await staging();
    expect(run.outputs.plain).toMatchObject({
      runners: { "runner-staging-01": { name: "runner-staging-01", sshUser: "runner", wireguardAddress: "10.88.0.10" } },
    });
  });

  it("joins the mesh as the runner peer declared in labfleet:wireguard (pinned address), config pushed as a file", async () => {
    const run = await staging();
    const peer = one(run.resources, "pulumi-nodejs:dynamic/wireguard:WireGuardPeer", "wireguard-runner-staging-01");
    expect(peer.inputs).toMatchObject({ name: "runner-staging-01", address: "10.88.0.10" });
    const file = one(run.resources, "pulumi-nodejs:dynamic/lxd:LxdInstanceFile", "runner-staging-01-wireguard");
    expect(file.parent).toBe(one(run.resources, RUNNER, "runner-staging-01").urn);
    expect(file.inputs).toMatchObject({ instance: "runner-staging-01", path: "/etc/wireguard/labfleet.conf", mode: "0600" });
    expect(isSecretInput(file, "content")).toBe(true);
    expect(isSecretInput(file, "clientKey")).toBe(true);
    expect(file.dependencies).toContain(one(run.resources, INSTANCE, "runner-staging-01-instance").urn);
    expect((userData(one(run.resources, INSTANCE, "runner-staging-01-instance")).packages as string[]).includes("wireguard-tools")).toBe(true);
  });

  it("runners[].wireguard: false keeps a runner off the mesh", async () => {
    const lxd = parse(readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8")).config["labfleet:lxd"] as { runners: Record<string, unknown>[] };
    const run = await runProgram({
      stack: "staging",
      secrets: { "labfleet:lxdClientKey": KEY },
      config: { "labfleet:lxd": { ...lxd, runners: lxd.runners.map((r) => ({ ...r, wireguard: false })) } },
    });
    expect(run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/lxd:LxdInstanceFile").map((r) => r.name).sort()).toEqual([
      "runner-staging-01-gitlab-runner",
      "runner-staging-01-gitlab-runner-env", // the runner role's credentials (labfleet:gitlab.runnerHostRoles)
      "runner-staging-01-hut-inventory",
    ]);
    expect((run.outputs.plain as { runners: Record<string, { wireguardAddress?: string }> }).runners["runner-staging-01"]?.wireguardAddress).toBeUndefined();
  });

  it("a hut package spec is installed with the snap's npm", async () => {
    const run = await runProgram({
      stack: "staging",
      secrets: { "labfleet:lxdClientKey": KEY },
      config: {
        "labfleet:lxd": {
          remotes: { here: { kind: "unix" } },
          runners: [
            { name: "runner-staging-01", remote: "here", sshPublicKey: "ssh-ed25519 AAAA x", hutPackage: "git+https://git.example.org/lab/labfleet.git#v1.0.0", nodeChannel: "22/stable" },
          ],
        },
      },
    });
    const doc = userData(one(run.resources, INSTANCE, "runner-staging-01-instance"));
    expect(doc.runcmd).toContainEqual(["snap", "install", "node", "--classic", "--channel=22/stable"]);
    expect(doc.runcmd).toContainEqual(["/snap/bin/npm", "install", "--global", "git+https://git.example.org/lab/labfleet.git#v1.0.0"]);
  });
});
