import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliResult, plan } from "../../helpers/cli.ts";
import { construct, type FloorResource, floorProgram } from "../../../tools/bench/floor.ts";
import { ROOT } from "../../../tools/plan/run.ts";

/** `npm run plan`'s entry: the precompiled plan on plain Node.js (tools/plan/launch.mjs). */
function launch(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, "tools/plan/launch.mjs"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cacheDir = join(ROOT, ".cache", "plan");

describe("npm run plan runs the precompiled plan (tools/plan/launch.mjs)", { timeout: 240_000 }, () => {
  it("prints what tools/plan/cli.ts prints through tsx, byte for byte, with the same exit code", () => {
    for (const args of [["--stack", "local"], ["--stack", "local", "--json"], ["--stack", "no-such-stack"]]) {
      const viaTsx = plan(args);
      const viaBundle = launch(args);
      expect(viaBundle).toEqual(viaTsx);
    }
    expect(launch(["--stack", "no-such-stack"]).status).toBe(2);
  });

  it("recompiles when the cached bundle does not match the sources, then reuses the bundle", () => {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, "manifest.json"), JSON.stringify({ esbuild: "0", inputs: ["tools/plan/no-such-file.ts"] }));
    const first = launch(["--stack", "local", "--json"]);
    expect(first.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(cacheDir, "manifest.json"), "utf8")) as { inputs: string[] };
    expect(manifest.inputs).toContain("tools/plan/cli.ts");
    expect(manifest.inputs).toContain("stacks/index.ts");
    expect(manifest.inputs.every((f) => existsSync(join(ROOT, f)))).toBe(true);
    const before = readFileSync(join(cacheDir, "manifest.json"), "utf8");
    const second = launch(["--stack", "local", "--json"]);
    expect(second.stdout).toBe(first.stdout);
    expect(readFileSync(join(cacheDir, "manifest.json"), "utf8")).toBe(before);
  });
});

describe("the plan bench's floor (tools/bench/floor.ts)", { timeout: 240_000 }, () => {
  it("constructs SDK resources from their submodule, providers from the package's provider module", () => {
    expect(construct("aws:ec2/vpc:Vpc")).toEqual({ kind: "sdk", module: "@pulumi/aws/ec2/index.js", member: "Vpc" });
    expect(construct("gcp:compute/uRLMap:URLMap")).toEqual({ kind: "sdk", module: "@pulumi/gcp/compute/index.js", member: "URLMap" });
    expect(construct("random:index/randomPassword:RandomPassword")).toEqual({ kind: "sdk", module: "@pulumi/random/index.js", member: "RandomPassword" });
    expect(construct("pulumi:providers:gcp")).toEqual({ kind: "sdk", module: "@pulumi/gcp/provider.js", member: "Provider" });
    expect(construct("pulumi-nodejs:dynamic/lxd:LxdInstance")).toEqual({ kind: "custom" });
    expect(construct("labfleet:hut:HutSlot")).toEqual({ kind: "component" });
    expect(construct("pulumi:pulumi:Stack")).toEqual({ kind: "skip" });
  });

  it("is a plain node program that registers the plan's resources and exits 0", () => {
    const doc = launch(["--stack", "staging", "--json"]);
    expect([0, 1]).toContain(doc.status); // 1: a mandatory violation, still a finished plan
    const resources = (JSON.parse(doc.stdout) as { resources: FloorResource[] }).resources;
    const source = floorProgram(resources);
    expect(source).not.toMatch(/from "@pulumi\/(aws|gcp)"|require\("@pulumi\/(aws|gcp)"\)/); // never a package index
    const dir = join(ROOT, ".cache", "test-floor");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `floor-${process.pid}.mjs`);
    writeFileSync(file, source);
    const r = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    rmSync(file, { force: true });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
