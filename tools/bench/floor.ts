import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";

/**
 * The plan benchmark's floor: the same SDK modules, the same resources (types, names, inputs)
 * registered on the mock runtime with no-op mocks — no config parsing, no components, no policies.
 * argv: a JSON file with `[{ type, name, inputs }]`.
 */
await Promise.all([import("@pulumi/aws"), import("@pulumi/gcp"), import("@pulumi/command"), import("@pulumi/random")]);
const list = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { type: string; name: string; inputs: Record<string, unknown> }[];
await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "labfleet", "floor", true);
/** A bare custom resource of any type token. */
class Bare extends pulumi.CustomResource {
  constructor(type: string, name: string, inputs: Record<string, unknown>) {
    super(type, name, inputs);
  }
}
let pending = 0;
await pulumi.runtime.runInPulumiStack(async () => {
  for (const r of list) {
    if (r.type === "pulumi:pulumi:Stack") continue;
    pending++;
    const res = new Bare(r.type, r.name, r.inputs);
    res.urn.apply(() => pending--);
  }
  return {};
});
for (let i = 0; i < 10_000 && pending > 0; i++) await new Promise((r) => setTimeout(r, 1));
