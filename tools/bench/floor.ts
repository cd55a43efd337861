import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";

/**
 * The plan benchmark's floor: a bare program that imports the same SDK modules (every
 * `@pulumi/<pkg>` submodule the plan's resource types live in) and registers the same resources
 * (types, names, inputs) on the mock runtime with no-op mocks — no config parsing, no
 * components, no dynamic-provider serialization, no policies.
 * argv: a JSON file with `[{ type, name, inputs }]`.
 */
process.setSourceMapsEnabled(false); // as the plan does
const sdks: Record<string, Record<string, unknown>> = {
  aws: await import("@pulumi/aws"),
  gcp: await import("@pulumi/gcp"),
  random: await import("@pulumi/random"),
};
const list = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { type: string; name: string; inputs: Record<string, unknown> }[];
for (const { type } of list) {
  const [pkg = "", mod = ""] = type.split(":");
  const sub = mod.split("/")[0]!;
  if (sdks[pkg] && sub !== "index") void sdks[pkg][sub]; // loads the lazily required submodule
}
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
    if (r.type === "pulumi:pulumi:Stack" || !r.type.includes(":") || r.type.startsWith("labfleet:")) continue;
    pending++;
    const res = new Bare(r.type, r.name, r.inputs);
    res.urn.apply(() => pending--);
  }
  return {};
});
for (let i = 0; i < 10_000 && pending > 0; i++) await new Promise((r) => setTimeout(r, 1));
