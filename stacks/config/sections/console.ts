import { z } from "zod";
import { AwsConsoleBody, resolveAws } from "../../../components/aws/settings.ts";
import { GcpConsoleBody, resolveGcp } from "../../../components/gcp/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:console.aws` and `labfleet:console.gcp` — the consoles' settings (components/aws/settings.ts, components/gcp/settings.ts), each switchable. */
export const AwsConsole = registerSection("console.aws", AwsConsoleBody, resolveAws);
export const GcpConsole = registerSection("console.gcp", GcpConsoleBody, resolveGcp);
export const Console = z
  .strictObject({ aws: AwsConsole, gcp: GcpConsole })
  .prefault({})
  .describe("cloud consoles (each off unless configured)");
export type ConsoleConfig = z.output<typeof Console>;
