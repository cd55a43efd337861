import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig } from "./config/index.ts";
import { program } from "./program.ts";

/**
 * Pulumi entry point. The config is parsed and validated before any resource is registered;
 * a bad config ends the run with every offending key and no stack trace (RunError).
 */
export default async function main() {
  let cfg: ReturnType<typeof loadStackConfig>;
  try {
    cfg = loadStackConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
  return program(cfg);
}
