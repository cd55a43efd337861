import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { plan } from "../../helpers/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "labfleet-plan-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm run plan (offline plan contract)", { timeout: 240_000 }, () => {
  it("--json prints exactly one JSON document with the contract's fields and exits 0", () => {
    const r = plan(["--stack", "staging", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual(["outputs", "project", "resources", "stack", "summary", "violations"]);
    expect(doc.project).toBe("labfleet");
    expect(doc.stack).toBe("staging");
    expect(doc.summary.resources).toBe(doc.resources.length);
    expect(Object.values(doc.summary.byType as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(doc.resources.length);
    for (const r of doc.resources) {
      expect(Object.keys(r).sort()).toEqual(["inputs", "name", "parent", "type", "urn"]);
      expect(r.urn).toMatch(/^urn:pulumi:staging::labfleet::/);
    }
    const stack = doc.resources.find((x: { type: string }) => x.type === "pulumi:pulumi:Stack");
    expect(stack.parent).toBeNull();
    for (const v of doc.violations) expect(Object.keys(v).sort()).toEqual(["enforcementLevel", "message", "policy", "urn"].filter((k) => k in v).sort());
    expect(doc.outputs.environment).toBe("staging");
  });

  it("human output shows the resource tree, outputs and a summary", () => {
    const r = plan(["--stack", "local"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Plan: labfleet\/local /);
    expect(r.stdout).toContain("+ pulumi:pulumi:Stack  labfleet-local");
    expect(r.stdout).toMatch(/Summary: \d+ resources/);
    expect(r.stdout).toContain('environment: "local"');
  });

  it("a config with several errors exits 2 naming every key path, without a stack trace", () => {
    const r = plan(["--stack", "local", "--config-file", "test/fixtures/bad-config.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("labfleet:wireguard.hub.endpoint: must be host:port");
    expect(r.stderr).toContain("labfleet:hut.slots[0].serialById: must start with /dev/serial/by-id/");
    expect(r.stderr).toContain("labfleet:hut.slots[1].relay.entity: must be a switch.* entity id");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("usage errors and missing stacks exit 2", () => {
    expect(plan([]).status).toBe(2);
    const r = plan(["--stack", "does-not-exist"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Pulumi.does-not-exist.yaml");
  });

  it("--graph writes .dot and .mmd with parent edges, and renders .svg with Graphviz", () => {
    const dot = join(tmp, "g.dot");
    const mmd = join(tmp, "g.mmd");
    const svg = join(tmp, "g.svg");
    expect(plan(["--stack", "staging", "--graph", dot]).status).toBe(0);
    expect(plan(["--stack", "local", "--graph", mmd]).status).toBe(0);
    expect(plan(["--stack", "local", "--graph", svg]).status).toBe(0);
    expect(readFileSync(dot, "utf8")).toMatch(/^digraph labfleet \{/);
    expect(readFileSync(dot, "utf8")).toContain("labfleet-staging\\npulumi:pulumi:Stack");
    expect(readFileSync(dot, "utf8")).toMatch(/ -> n\d+ \[style=dashed/);
    expect(readFileSync(mmd, "utf8")).toMatch(/^flowchart LR/);
    expect(readFileSync(mmd, "utf8")).toContain("labfleet-local<br/>pulumi:pulumi:Stack");
    expect(readFileSync(svg, "utf8")).toContain("<svg");
    const bad = plan(["--stack", "local", "--graph", join(tmp, "g.txt")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unsupported extension ".txt"');
  });

  it("never prints a secret value in any output mode", () => {
    const secret = "fixture-secret-HA-7f3a9c2e";
    const cipher = "fixture-ciphertext-QmF6";
    const graph = join(tmp, "secret.dot");
    const runs = [
      plan(["--stack", "local", "--config-file", "test/fixtures/secret-fixture.yaml"]),
      plan(["--stack", "local", "--config-file", "test/fixtures/secret-fixture.yaml", "--json", "--verbose"]),
      plan(["--stack", "local", "--config-file", "test/fixtures/secret-fixture.yaml", "--graph", graph]),
    ];
    for (const r of runs) {
      expect(r.status).toBe(0);
      for (const s of [r.stdout, r.stderr]) {
        expect(s).not.toContain(secret);
        expect(s).not.toContain(cipher);
      }
    }
    expect(readFileSync(graph, "utf8")).not.toContain(secret);
  });
});
