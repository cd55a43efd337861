import { defineConfig } from "vitest/config";

/** The LXD provider's integration tests run once per daemon: LXD 5.0 and Incus 6.0. */
const LXD_INTEGRATION = "test/integration/lxd/**/*.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites own system resources (namespaces, LXD, ptys): one file at a time per
    // worker, and at most two workers on the 2-core CI machine.
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
    projects: [
      { extends: true, test: { name: "main", include: ["test/**/*.test.ts"], exclude: [LXD_INTEGRATION] } },
      { extends: true, test: { name: "lxd", include: [LXD_INTEGRATION], env: { LABFLEET_DAEMON: "lxd" } } },
      { extends: true, test: { name: "incus", include: [LXD_INTEGRATION], env: { LABFLEET_DAEMON: "incus" } } },
    ],
  },
});
