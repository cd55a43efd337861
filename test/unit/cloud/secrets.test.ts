import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AwsConsole } from "../../../components/aws/console.ts";
import { CiIdentity } from "../../../components/ci/identity.ts";
import { GcpProjectApis, WIF_APIS } from "../../../components/gcp/apis.ts";
import { GcpConsole, consoleApis } from "../../../components/gcp/console.ts";
import { parseStackConfig } from "../../../stacks/config/index.ts";
import { mocks } from "../../../tools/plan/mocks.ts";
import { readStackFile } from "../../../tools/plan/stack-file.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { unwrapOutput } from "../../helpers/program.ts";

/** Components built directly on the mock runtime, to inspect their Output objects. */
function config(stack: string) {
  const ec = readStackFile(`${ROOT}/Pulumi.${stack}.yaml`, "labfleet");
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(ec.config)) if (k.startsWith("labfleet:")) values[k.slice(9)] = v;
  return parseStackConfig({ values, secretKeys: new Set(ec.secretKeys.map((k) => k.slice(9))) }, stack);
}

/** Every Output inside a (nested) outputs object, with its path. */
function outputsIn(value: unknown, path = ""): [string, pulumi.Output<unknown>][] {
  if (pulumi.Output.isInstance(value)) return [[path, value as pulumi.Output<unknown>]];
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => outputsIn(v, path ? `${path}.${k}` : k));
  return [];
}

describe("secretness of console and CI outputs (mock runtime, production config)", () => {
  const cfg = config("production");
  const tags = { environment: "production", stack: "production" };
  let aws: AwsConsole;
  let gcp: GcpConsole;
  let ci: CiIdentity;

  beforeAll(async () => {
    await pulumi.runtime.setMocks(mocks, "labfleet", "production", false);
    if (!cfg.console.aws.enabled || !cfg.console.gcp.enabled || !cfg.ci.enabled) throw new Error("production config must enable console.aws, console.gcp and ci");
    const apis = new GcpProjectApis("gcp-apis", { tags, project: cfg.console.gcp.project, apis: [...consoleApis(cfg.console.gcp), ...WIF_APIS] });
    ci = new CiIdentity("ci", { tags, settings: cfg.ci, project: "labfleet", awsConsole: { region: cfg.console.aws.region }, gcpApis: apis });
    aws = new AwsConsole("console-aws", { tags, settings: cfg.console.aws, oidcClientSecret: pulumi.secret("offline-oidc-client-secret") });
    gcp = new GcpConsole("console-gcp", { tags, settings: cfg.console.gcp, apis, deployers: ci.gcpDeployers() });
  });

  it("the generated Cloud SQL password is a secret Output end to end", async () => {
    const pw = await unwrapOutput(gcp.dbPassword);
    expect(pw.secret).toBe(true);
    expect(pw.value).toBe("offline-random-password");
  });

  it("every exported console/CI output is a plain identifier that never carries the password", async () => {
    const exported = [...outputsIn(aws.outputs(), "consoleAws"), ...outputsIn(gcp.outputs(), "consoleGcp"), ...outputsIn(ci.outputs(), "ci")];
    expect(exported.length).toBeGreaterThanOrEqual(5 + 4 + 3 + 4);
    for (const [path, o] of exported) {
      const { value, secret } = await unwrapOutput(o);
      expect(secret, path).toBe(false);
      expect(String(value), path).not.toContain("offline-random-password");
    }
  });

  it("the AWS DB password never enters Pulumi: RDS manages it, outputs carry only the secret's ARN", async () => {
    const arn = await unwrapOutput(aws.dbSecretArn);
    expect(arn.value).toMatch(/^arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!/);
  });
});

describe("access control secrets", () => {
  it("a console with access on but no OIDC client secret is a program error naming the key", async () => {
    await pulumi.runtime.setMocks(mocks, "labfleet", "production", false);
    const settings = config("production").console.aws;
    if (!settings.enabled) throw new Error("production config must enable console.aws");
    const tags = { environment: "production", stack: "production" };
    expect(() => new AwsConsole("console-aws-nosecret", { tags, settings })).toThrow(/labfleet:awsOidcClientSecret/);
  });
});
