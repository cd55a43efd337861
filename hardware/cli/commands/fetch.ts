import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { openStore } from "../../artifact-store.ts";
import { UsageError } from "../../errors.ts";
import { FETCH_EXIT, fetchBuild } from "../../fetch.ts";
import type { StoreLocation } from "../../schema/artifacts.ts";
import { chipName, commitSha, inventoryOption, storeFrom, storeOption } from "../options.ts";

interface FetchOptions {
  sha: string;
  chip: string;
  out: string;
  store?: StoreLocation;
  inventory?: string;
  json?: boolean;
}

/**
 * `hut fetch --sha <commit> --chip <chip> --out <file> [--store <url>] [--json]`: exit 0 written ·
 * 1 sha256 mismatch or store error (nothing written) · 2 bad flag · 3 no build for the SHA/chip.
 */
export function registerFetch(program: Command, setExit: (code: number) => void) {
  program
    .command("fetch")
    .description("fetch the upstream lane's build of a commit for a chip, sha256-verified against its manifest")
    .requiredOption("--sha <commit>", "full commit SHA the upstream lane built", commitSha)
    .requiredOption("--chip <chip>", "chip of the build (esp32, esp32s3, …)", chipName)
    .requiredOption("--out <file>", "where to write the image (atomically, mode 0600)")
    .addOption(storeOption())
    .addOption(inventoryOption())
    .option("--json", "print the result as JSON")
    .action(async (opts: FetchOptions) => {
      if (!statSync(dirname(opts.out), { throwIfNoEntry: false })?.isDirectory()) {
        throw new UsageError(`--out: directory ${dirname(opts.out)} does not exist`);
      }
      if (statSync(opts.out, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--out: ${opts.out} is a directory`);
      const store = openStore(storeFrom(opts));
      const r = await fetchBuild({ store, sha: opts.sha, chip: opts.chip, out: opts.out });
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else (r.status === "ok" ? process.stdout : process.stderr).write(`hut fetch: ${r.status}: ${r.message}\n`);
      setExit(FETCH_EXIT[r.status]);
    });
}
