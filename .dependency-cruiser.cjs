/**
 * Imports run one way: hardware → components → stacks → policies → tools (docs/architecture.md,
 * "Where each concern lives"). A layer may import its own layer and the layers before it, never a
 * later one. Run by `npm run deps` and by test/unit/ci/layers.test.ts (so `npm test` fails with the
 * offending import named).
 */
const LAYERS = ["hardware", "components", "stacks", "policies", "tools"];

const upward = LAYERS.slice(0, -1).map((layer, i) => {
  const higher = LAYERS.slice(i + 1);
  return {
    name: `no-upward-import-from-${layer}`,
    comment: `${layer}/ is below ${higher.join(", ")}: it must not import from ${higher.map((l) => `${l}/`).join(", ")}`,
    severity: "error",
    from: { path: `^${layer}/` },
    to: { path: `^(${higher.join("|")})/` },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: upward,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".cjs", ".mjs", ".json"],
    },
  },
};
