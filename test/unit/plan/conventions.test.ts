import { describe, expect, it } from "vitest";
import { gcpLabels, mergeTags } from "../../../components/tags.ts";
import { type StackRun, runProgram } from "../../helpers/program.ts";

const stacks = ["local", "staging", "production"];
const runs = new Map<string, StackRun>();
async function planOf(stack: string): Promise<StackRun> {
  if (!runs.has(stack)) runs.set(stack, await runProgram({ stack, preview: true }));
  return runs.get(stack)!;
}

describe("component conventions hold for every resource of every stack", () => {
  for (const stack of stacks) {
    it(`${stack}: components are labfleet:<module>:<Type>, children are named <parent>-x`, async () => {
      const run = await planOf(stack);
      const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
      for (const r of run.resources) {
        if (!r.custom && r.type !== "pulumi:pulumi:Stack") expect(r.type, r.urn).toMatch(/^labfleet:[a-z0-9]+:[A-Z][A-Za-z0-9]+$/);
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent && parent.type.startsWith("labfleet:")) {
          expect(r.name.startsWith(`${parent.name}-`), `${r.urn} under ${parent.name}`).toBe(true);
        }
      }
    });

    it(`${stack}: every tagged resource carries environment, component and managed-by`, async () => {
      const run = await planOf(stack);
      for (const r of run.resources) {
        const tags = (r.inputs.tags ?? r.inputs.labels) as Record<string, string> | undefined;
        if (!tags || typeof tags !== "object") continue;
        const env = "environment" in tags ? tags.environment : undefined;
        expect(env, r.urn).toBe(stack);
        expect(tags.component ?? tags["component"], r.urn).toBeTruthy();
        expect(tags["managed-by"] ?? tags.managed_by, r.urn).toBe("pulumi");
      }
    });
  }
});

describe("tags are merged in one place", () => {
  it("the fixed tags win over user tags, and GCP labels are normalised", () => {
    const tags = mergeTags({ environment: "staging", stack: "staging", extra: { team: "Lab Ops", environment: "spoofed" } }, "aws/AwsConsole", { Name: "x" });
    expect(tags).toEqual({ team: "Lab Ops", Name: "x", environment: "staging", component: "aws/AwsConsole", "managed-by": "pulumi", "pulumi-stack": "staging" });
    expect(gcpLabels(tags)).toEqual({ team: "lab_ops", name: "x", environment: "staging", component: "aws_awsconsole", "managed-by": "pulumi", "pulumi-stack": "staging" });
  });
});
