import { describe, expect, it } from "vitest";
import { runProgram } from "../../helpers/program.ts";

describe("every committed stack plans on the mock runtime", () => {
  for (const stack of ["local", "staging", "production"]) {
    it(`${stack} registers its resources under the stack and exports the slot table`, async () => {
      const run = await runProgram({ stack, preview: true });
      const root = run.resources.filter((r) => r.type === "pulumi:pulumi:Stack");
      expect(root).toHaveLength(1);
      for (const r of run.resources) {
        if (r !== root[0]) expect(r.parent, r.urn).toBeDefined();
      }
      const outputs = run.outputs.plain as { environment: string; slots: { id: string; serialById: string }[] };
      expect(outputs.environment).toBe(stack);
      expect(outputs.slots.map((s) => s.id)).toEqual(["hut-01", "hut-02"]);
      for (const s of outputs.slots) expect(s.serialById.startsWith("/dev/serial/by-id/")).toBe(true);
    });
  }

  it("a bad config registers no resource and fails with the key path", async () => {
    await expect(runProgram({ stack: "local", config: { "labfleet:hut": { slots: [{ id: "x" }] } } })).rejects.toThrow(
      /labfleet:hut\.slots\[0\]\.id: must look like hut-NN/,
    );
  });
});
