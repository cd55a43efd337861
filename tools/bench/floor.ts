/**
 * The plan benchmark's floor (docs/architecture.md, "Plan speed").
 * Design notes: docs/design/tools.md ("tools/bench/floor.ts").
 */
export interface FloorResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** How the floor constructs one resource: an SDK class (module path, export) or a bare resource. */
type Construct = { kind: "sdk"; module: string; member: string } | { kind: "component" } | { kind: "custom" } | { kind: "skip" };

export function construct(type: string): Construct {
  if (type === "pulumi:pulumi:Stack") return { kind: "skip" }; // runInPulumiStack registers it
  const provider = /^pulumi:providers:(.+)$/.exec(type);
  if (provider) return { kind: "sdk", module: `@pulumi/${provider[1]}/provider.js`, member: "Provider" };
  const sdk = /^(aws|gcp|random):([^/:]+)\/[^:]+:(.+)$/.exec(type);
  if (sdk) {
    const [, pkg, mod, member] = sdk as unknown as [string, string, string, string];
    return { kind: "sdk", module: mod === "index" ? `@pulumi/${pkg}/index.js` : `@pulumi/${pkg}/${mod}/index.js`, member };
  }
  return type.startsWith("pulumi-nodejs:dynamic/") ? { kind: "custom" } : { kind: "component" };
}

/** The floor program's source (an ES module to be written inside the repository, so that bare
 * `@pulumi/…` specifiers resolve from its node_modules). */
export function floorProgram(resources: FloorResource[]): string {
  const modules = [...new Set(resources.map((r) => construct(r.type)).flatMap((c) => (c.kind === "sdk" ? [c.module] : [])))].sort();
  const alias = new Map(modules.map((m, i) => [m, `m${i}`]));
  const lines = [
    'import { createRequire } from "node:module";',
    "const require = createRequire(import.meta.url);",
    'const pulumi = require("@pulumi/pulumi");',
    ...modules.map((m) => `const ${alias.get(m)} = require(${JSON.stringify(m)});`),
    "class Custom extends pulumi.CustomResource { constructor(t, n, i) { super(t, n, i); } }",
    "await pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + '-id', state: a.inputs }), call: (a) => a.inputs }, 'labfleet', 'floor', true);",
    "const made = [];",
    "await pulumi.runtime.runInPulumiStack(async () => {",
  ];
  for (const r of resources) {
    const c = construct(r.type);
    const args = `${JSON.stringify(r.name)}, ${JSON.stringify(r.inputs)}`;
    if (c.kind === "sdk") lines.push(`  made.push(new ${alias.get(c.module)}.${c.member}(${args}));`);
    else if (c.kind === "component") lines.push(`  made.push(new pulumi.ComponentResource(${JSON.stringify(r.type)}, ${JSON.stringify(r.name)}));`);
    else if (c.kind === "custom") lines.push(`  made.push(new Custom(${JSON.stringify(r.type)}, ${args}));`);
  }
  lines.push("  return {};", "});", "await Promise.all(made.map((r) => new Promise((done) => r.urn.apply(done))));", "");
  return lines.join("\n");
}
