import { statSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { openStore } from "../../hardware/artifact-store.ts";
import { UsageError } from "../../hardware/errors.ts";
import { chipName, commitSha, storeUrl } from "../../hardware/cli/options.ts";
import { runCli } from "../../hardware/cli/usage.ts";
import type { StoreLocation } from "../../hardware/schema/artifacts.ts";
import { type UploadBuild, UploadConflictError, githubRunUrl, uploadBuilds } from "./upload.ts";

/**
 * `npm run artifacts:upload -- --store <url> --sha <commit> --build <chip>=<file>… [--run-url <url>] [--json]`
 * (docs/runbooks/upstream-lane.md). Exit codes: 0 uploaded · 1 store error or an immutable build
 * conflict · 2 bad flag (named).
 */
function build(value: string, previous: UploadBuild[] = []): UploadBuild[] {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError("must be <chip>=<file>");
  const chip = chipName(value.slice(0, at));
  const path = value.slice(at + 1);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new InvalidArgumentError(`${path} is not a readable file`);
  if (previous.some((b) => b.chip === chip)) throw new InvalidArgumentError(`chip ${chip} given twice`);
  return [...previous, { chip, path }];
}

interface UploadOptions {
  store: StoreLocation;
  sha: string;
  build: UploadBuild[];
  runUrl?: string;
  json?: boolean;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("artifacts-upload")
    .description("upload the upstream lane's builds of one commit and their manifest to the artifact store")
    .requiredOption("--store <url>", "artifact store (s3://…, gs://…, file:///…)", storeUrl)
    .requiredOption("--sha <commit>", "full commit SHA that was built", commitSha)
    .requiredOption("--build <chip=file>", "a build: chip and image file (repeat per chip)", build)
    .option("--run-url <url>", "the workflow run that built it (default: from GITHUB_* variables)")
    .option("--json", "print the manifest as JSON")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .action(async (opts: UploadOptions) => {
      const runUrl = opts.runUrl ?? githubRunUrl(process.env);
      if (!runUrl) throw new UsageError("--run-url: required outside GitHub Actions (no GITHUB_SERVER_URL/GITHUB_REPOSITORY/GITHUB_RUN_ID)");
      try {
        const manifest = await uploadBuilds({ store: openStore(opts.store), sha: opts.sha, builds: opts.build, workflowRunUrl: runUrl });
        if (opts.json) process.stdout.write(`${JSON.stringify(manifest)}\n`);
        else process.stdout.write(`uploaded ${opts.build.map((b) => b.chip).join(", ")} of ${opts.sha} to ${opts.store.url}\n`);
        setExit(0);
      } catch (err) {
        if (!(err instanceof UploadConflictError)) throw err;
        process.stderr.write(`artifacts-upload: ${err.message}\n`);
        setExit(1);
      }
    });
  return program;
}

export function main(argv: readonly string[]): Promise<number> {
  return runCli("artifacts-upload", buildProgram, argv);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv);
}
