import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import type { PlanResource } from "./run.ts";

/** The resource graph: parent edges (dashed) and dependency edges (solid). */
function nodes(resources: PlanResource[]) {
  const ids = new Map(resources.map((r, i) => [r.urn, `n${i}`]));
  const edges: { from: string; to: string; kind: "parent" | "dep" }[] = [];
  for (const r of resources) {
    const self = ids.get(r.urn)!;
    if (r.parent && ids.has(r.parent)) edges.push({ from: ids.get(r.parent)!, to: self, kind: "parent" });
    const deps = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
    for (const d of deps) if (ids.has(d) && d !== r.parent) edges.push({ from: self, to: ids.get(d)!, kind: "dep" });
  }
  return { ids, edges };
}

const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

export function toDot(resources: PlanResource[]): string {
  const { ids, edges } = nodes(resources);
  const lines = ["digraph labfleet {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize=10];'];
  for (const r of resources) {
    const fill = r.custom ? "#eef3fb" : "#fdf3e1";
    lines.push(`  ${ids.get(r.urn)} [label="${esc(r.name)}\\n${esc(r.type)}", fillcolor="${fill}"];`);
  }
  for (const e of edges) lines.push(`  ${e.from} -> ${e.to}${e.kind === "parent" ? ' [style=dashed, arrowhead=none, color="#888888"]' : ""};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

export function toMermaid(resources: PlanResource[]): string {
  const { ids, edges } = nodes(resources);
  const lines = ["flowchart LR"];
  const mm = (s: string) => s.replace(/"/g, "#quot;");
  for (const r of resources) lines.push(`  ${ids.get(r.urn)}["${mm(r.name)}<br/>${mm(r.type)}"]`);
  for (const e of edges) lines.push(`  ${e.from} ${e.kind === "parent" ? "-.-" : "-->"} ${e.to}`);
  return `${lines.join("\n")}\n`;
}

/** Writes the graph in the format the file extension names (.dot .mmd .svg .png). */
export function writeGraph(path: string, resources: PlanResource[]): void {
  const ext = extname(path).toLowerCase();
  if (ext === ".dot" || ext === ".gv") {
    writeFileSync(path, toDot(resources));
    return;
  }
  if (ext === ".mmd") {
    writeFileSync(path, toMermaid(resources));
    return;
  }
  if (ext === ".svg" || ext === ".png") {
    const r = spawnSync("dot", [`-T${ext.slice(1)}`, "-o", path], { input: toDot(resources), encoding: "utf8", timeout: 60_000 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`--graph ${path}: rendering ${ext} needs Graphviz's \`dot\` (apt-get install graphviz); .dot and .mmd need nothing`);
    }
    if (r.status !== 0) throw new Error(`--graph ${path}: dot failed: ${r.stderr.trim()}`);
    return;
  }
  throw new Error(`--graph ${path}: unsupported extension "${ext}" (use .dot, .mmd, .svg or .png)`);
}
