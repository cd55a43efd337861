import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites own system resources (namespaces, LXD, ptys): one file at a time per
    // worker, and at most two workers on the 2-core CI machine.
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
  },
});
