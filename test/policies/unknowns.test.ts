import { describe, expect, it } from "vitest";
import { evaluatePack, type PlanResource } from "../../tools/plan/policy-engine.ts";
import { runStack } from "../../tools/plan/run.ts";
import { unknown } from "./helpers.ts";

/**
 * No rule is ever silently downgraded by CrossGuard's "can't run during preview" path: on every
 * resource of the real production plan (the superset of staging), each top-level input made unknown in turn,
 * the pack neither throws nor produces that note.
 */
describe("preview-time unknowns on the real plans", () => {
  for (const stack of ["production"]) {
    it(`${stack}: every input of every resource, unknown one at a time`, async () => {
      const { resources } = await runStack({ stack });
      let runs = 0;
      for (const r of resources) {
        for (const key of Object.keys(r.inputs)) {
          if (key.startsWith("__")) continue;
          const variant: PlanResource = { ...r, inputs: { ...r.inputs, [key]: unknown.string } };
          const vs = await evaluatePack({ resources: [variant] });
          runs++;
          const downgraded = vs.filter((v) => v.message.includes("during preview: "));
          expect(downgraded, `${r.urn} ${key}`).toEqual([]);
        }
      }
      expect(runs).toBeGreaterThan(300);
    }, 240_000);
  }
});
