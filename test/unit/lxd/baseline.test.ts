import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HUT_REMOTE_ENV } from "../../../components/hut/commands.ts";
import { BASE_PACKAGES, RUNNER_ESPTOOL, runnerCloudConfig } from "../../../components/lxd/cloud-init.ts";
import { slotDevices } from "../../../components/lxd/slot-devices.ts";
import { Slot } from "../../../hardware/schema/inventory.ts";

const slot = (id: string, runner: string, usb?: Record<string, string>) =>
  Slot.parse({ id, label: id, runner, serialById: `/dev/serial/by-id/usb-${id}`, relay: { entity: `switch.${id.replace("-", "_")}` }, ...(usb ? { usb } : {}) });

describe("slot devices", () => {
  const slots = [slot("hut-01", "r1", { vendorid: "10C4", productid: "EA60", serial: "5a1c" }), slot("hut-02", "r2", { vendorid: "1a86", productid: "55d4" }), slot("hut-03", "r1", { vendorid: "0403", productid: "6001" })];

  it("a VM gets a usb device per slot assigned to it (and only those)", () => {
    expect(slotDevices({ name: "r1", type: "virtual-machine" }, slots)).toEqual({
      "hut-01-usb": { type: "usb", vendorid: "10c4", productid: "ea60", serial: "5a1c" },
      "hut-03-usb": { type: "usb", vendorid: "0403", productid: "6001" },
    });
    expect(slotDevices({ name: "nobody", type: "virtual-machine" }, slots)).toEqual({});
  });

  it("a container gets the by-id character device, optional so the container starts without it", () => {
    expect(slotDevices({ name: "r2", type: "container" }, slots)).toEqual({
      "hut-02-serial": { type: "unix-char", source: "/dev/serial/by-id/usb-hut-02", path: "/dev/serial/by-id/usb-hut-02", required: "false" },
    });
  });

  it("a VM slot without usb identity is an error naming the slot", () => {
    expect(() => slotDevices({ name: "r9", type: "virtual-machine" }, [slot("hut-09", "r9")])).toThrow(
      "hut slot hut-09 on runner r9: a virtual machine needs the slot's usb identity (labfleet:hut.slots[].usb)",
    );
  });
});

const KEY = "F6403F6544A38863DAA0B6E03F01618A51312F3F";
const base = { sshUser: "ci", sshPublicKey: "ssh-ed25519 AAAA k", nodeChannel: "20/stable", gitlabRunnerAptKey: KEY };

describe("runner cloud-init baseline", () => {
  it("is valid #cloud-config with the tools, the runner user and Node from the snap store", () => {
    const text = runnerCloudConfig(base);
    expect(text.split("\n")[0]).toBe("#cloud-config");
    const doc = parse(text) as Record<string, unknown>;
    expect(doc.packages).toEqual([...BASE_PACKAGES]);
    expect(doc.package_update).toBe(true);
    expect((doc.users as unknown[])[1]).toMatchObject({ name: "ci", ssh_authorized_keys: ["ssh-ed25519 AAAA k"], lock_passwd: true });
    expect(doc.runcmd).toContainEqual(["usermod", "-aG", "docker", "ci"]);
    expect(doc.runcmd).toContainEqual(["snap", "install", "node", "--classic", "--channel=20/stable"]);
  });

  it("installs a pinned esptool from PyPI in its own venv, on PATH as `esptool`", () => {
    const doc = parse(runnerCloudConfig(base)) as { packages: string[]; runcmd: string[][] };
    expect(RUNNER_ESPTOOL).toMatch(/^esptool==\d+\.\d+\.\d+$/);
    expect(doc.packages).toContain("python3-venv");
    const steps = doc.runcmd.map((c) => c.join(" "));
    const venv = steps.indexOf("python3 -m venv /opt/esptool");
    expect(venv).toBeGreaterThanOrEqual(0);
    expect(steps[venv + 1]).toBe(`/opt/esptool/bin/pip install --disable-pip-version-check ${RUNNER_ESPTOOL}`);
    expect(steps[venv + 2]).toBe("ln -sf /opt/esptool/bin/esptool /usr/local/bin/esptool");
  });

  it("lets sshd accept exactly the hut command environment (drop-in, validated, reloaded)", () => {
    const doc = parse(runnerCloudConfig(base)) as { write_files: Record<string, unknown>[]; runcmd: string[][] };
    const dropIn = doc.write_files.find((f) => f.path === "/etc/ssh/sshd_config.d/60-labfleet-hut.conf");
    expect(dropIn).toMatchObject({ owner: "root:root", permissions: "0644" });
    const directives = String(dropIn?.content)
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"));
    expect(directives).toEqual([`AcceptEnv ${HUT_REMOTE_ENV.join(" ")}`]);
    expect(directives).toEqual(["AcceptEnv HA_URL HA_TOKEN"]);
    expect(doc.runcmd).toContainEqual(["sh", "-c", "sshd -t && systemctl try-reload-or-restart ssh.service"]);
  });

  it("sets HUT_INVENTORY for login shells and every PAM session", () => {
    const doc = parse(runnerCloudConfig(base)) as { write_files: Record<string, unknown>[] };
    expect(doc.write_files).toContainEqual({ path: "/etc/profile.d/labfleet-hut.sh", owner: "root:root", permissions: "0644", content: "export HUT_INVENTORY=/etc/labfleet/hut-inventory.yaml\n" });
    expect(doc.write_files).toContainEqual({ path: "/etc/environment", append: true, content: "HUT_INVENTORY=/etc/labfleet/hut-inventory.yaml\n" });
  });

  it("installs gitlab-runner from GitLab's apt repository, key pinned by fingerprint; its config dir is root-only", () => {
    const doc = parse(runnerCloudConfig(base)) as { apt: unknown; packages: string[]; runcmd: string[][] };
    expect(doc.packages).toContain("gitlab-runner");
    expect(doc.apt).toEqual({
      sources: { "gitlab-runner": { source: "deb [signed-by=$KEY_FILE] https://packages.gitlab.com/runner/gitlab-runner/ubuntu/ $RELEASE main", keyid: KEY } },
    });
    expect(doc.runcmd).toContainEqual(["usermod", "-aG", "dialout,plugdev", "gitlab-runner"]);
    expect(doc.runcmd).toContainEqual(["install", "-d", "-m", "0700", "-o", "root", "-g", "root", "/etc/gitlab-runner"]);
    // the group change needs the package's user: runcmd runs after the packages are installed
    expect(JSON.stringify(doc)).not.toMatch(/glrt-|token =/);
  });

  it("is deterministic (a re-render does not replace the VM)", () => {
    const c = { ...base, sshUser: "runner", hutPackage: "labfleet@1.0.0" };
    expect(runnerCloudConfig(c)).toBe(runnerCloudConfig({ ...c }));
  });
});
