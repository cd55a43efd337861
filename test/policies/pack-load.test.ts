import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deserialize, labfleetPack, type PlanResource, reconcilePolicyConfig, type Violation } from "../../tools/plan/policy-engine.ts";
import { parsePath } from "../../policies/lib/fingerprint.ts";
import { packName, policies } from "../../policies/pack.ts";
import { loadPolicyConfig } from "../../tools/plan/policy.ts";
import { ROOT, runStack } from "../../tools/plan/run.ts";
import { SECRET_SIG, SIG_KEY } from "../../tools/plan/values.ts";
import { approving, res, unknown } from "./helpers.ts";

/**
 * The pack loads as a pack: the Pulumi CLI's own harness (`@pulumi/pulumi/cmd/run-policy-pack`,
 * what `pulumi-analyzer-policy` runs with cwd = the pack directory) loads `policies/` under the
 * pack's package.json, the PolicyPack starts its analyzer gRPC server and prints the port. This
 * test then plays the engine over gRPC (GetAnalyzerInfo, Configure, Analyze, AnalyzeStack) and
 * checks the live answers equal the offline engine's on the same fixtures. Only the Go engine
 * itself is missing.
 */
const req = createRequire(join(ROOT, "node_modules/@pulumi/pulumi/package.json"));
const grpc = req("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const analyzerRpc = req("./proto/analyzer_grpc_pb.js");
const analyzerPb = req("./proto/analyzer_pb.js");
const structPb = req("google-protobuf/google/protobuf/struct_pb.js");
const emptyPb = req("google-protobuf/google/protobuf/empty_pb.js");

type Client = Record<string, (request: unknown, cb: (err: Error | null, resp: never) => void) => void>;
const call = <T>(client: Client, method: string, request: unknown) =>
  new Promise<T>((resolve, reject) => client[method]!(request, (err, resp) => (err ? reject(err) : resolve(resp as T))));

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES = [undefined, "low", "medium", "high", "critical"];

let child: ChildProcess | undefined;
let client: Client;
let startupMs = 0;

beforeAll(async () => {
  const started = Date.now();
  child = spawn(process.execPath, [join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], {
    cwd: join(ROOT, "policies"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port within 90s; stderr: ${stderr}`)), 90_000);
    let out = "";
    child?.stdout?.on("data", (d) => {
      out += String(d);
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child?.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pack exited with ${code}: ${stderr}`));
    });
  });
  startupMs = Date.now() - started;
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as Client;
}, 120_000);

afterAll(() => {
  (client as unknown as { close?: () => void })?.close?.();
  if (child?.pid && child.exitCode === null) child.kill("SIGTERM");
});

function toStruct(v: Record<string, unknown>) {
  return structPb.Struct.fromJavaScript(v);
}

function analyzerResource(r: PlanResource, Kind: new () => Record<string, (x: unknown) => void>) {
  const m = new Kind();
  m.setUrn!(r.urn);
  m.setType!(r.type);
  m.setName!(r.name);
  m.setProperties!(toStruct(wrapSecrets(r)));
  const o = new analyzerPb.AnalyzerResourceOptions();
  o.setProtect(r.protect);
  o.setIgnorechangesList(r.ignoreChanges);
  if (r.parent) o.setParent(r.parent);
  m.setOptions!(o);
  if (Kind === analyzerPb.AnalyzerResource) {
    // AnalyzeStack also carries the graph: parent, dependencies, property dependencies.
    const sr = m as unknown as {
      setParent(u: string): void;
      setDependenciesList(u: string[]): void;
      getPropertydependenciesMap(): { set(k: string, v: unknown): void };
    };
    if (r.parent) sr.setParent(r.parent);
    sr.setDependenciesList(r.dependencies);
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
      if (urns.length === 0) continue;
      const d = new analyzerPb.AnalyzerPropertyDependencies();
      d.setUrnsList(urns);
      sr.getPropertydependenciesMap().set(k, d);
    }
  }
  return m;
}

/** The wire form: unknowns as the engine's sentinel, secrets in the secret envelope (the server unwraps them). */
function wrapSecrets(r: PlanResource): Record<string, unknown> {
  const out = deserialize(r.inputs);
  for (const p of r.secretPaths ?? []) {
    const path = parsePath(p);
    let parent: Record<string, unknown> | undefined = out;
    for (const k of path.slice(0, -1)) parent = parent?.[k] as Record<string, unknown> | undefined;
    const last = path[path.length - 1];
    if (parent && last !== undefined && last in parent) parent[last] = { [SIG_KEY]: SECRET_SIG, value: parent[last] };
  }
  return out;
}

function fromDiagnostics(resp: { getDiagnosticsList(): Record<string, () => unknown>[] }, urn?: string): Violation[] {
  return resp.getDiagnosticsList().map((d) => {
    const v: Violation = {
      policy: String(d.getPolicyname!()),
      enforcementLevel: LEVELS[Number(d.getEnforcementlevel!())] as Violation["enforcementLevel"],
      message: String(d.getMessage!()),
    };
    const u = String(d.getUrn!() || "") || urn;
    if (u) v.urn = u;
    const sev = SEVERITIES[Number(d.getSeverity!())];
    if (sev) v.severity = sev;
    return v;
  });
}

const fixtures = (): PlanResource[] => {
  const sg = res("aws:ec2/securityGroup:SecurityGroup", "app-sg", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
  const approvedPolicy = res("aws:iam/rolePolicy:RolePolicy", "approved", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] }) });
  // stack rules that follow links: a block on its bucket and IAP in front of Cloud Run (pass), a VPC without flow log (fails)
  const bucket = res("aws:s3/bucket:Bucket", "logs", { bucketPrefix: "logs-" });
  const block = res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-pab", { bucket: "logs", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { dependencies: [bucket.urn], propertyDependencies: { bucket: [bucket.urn] } });
  const run = res("gcp:cloudrunv2/service:Service", "app", { location: "europe-west3", ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", invokerIamDisabled: true, labels: { environment: "production" } });
  const neg = res("gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup", "app-neg", { cloudRun: { service: "app" } }, { dependencies: [run.urn], propertyDependencies: { cloudRun: [run.urn] } });
  const backend = res("gcp:compute/backendService:BackendService", "app-backend", { backends: [{ group: "app-neg" }], iap: { enabled: true } }, { dependencies: [neg.urn], propertyDependencies: { backends: [neg.urn] } });
  return [
    bucket,
    block,
    run,
    neg,
    backend,
    res("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" }),
    res("aws:rds/instance:Instance", "db", { publiclyAccessible: true, storageEncrypted: true, backupRetentionPeriod: 3, tags: { environment: "production" } }, { protect: true }),
    res("aws:iam/rolePolicy:RolePolicy", "wild", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }),
    res("aws:iam/rolePolicy:RolePolicy", "later", { role: "r", policy: unknown.string }),
    approvedPolicy,
    { ...res("aws:secretsmanager/secretVersion:SecretVersion", "token", { secretId: "arn:x", secretString: "s3cr3t" }), secretPaths: ["secretString"] },
    res("command:remote:Command", "flash", { create: "hut flash --slot hut-01 --firmware f", environment: { PORT: "/dev/ttyUSB0" } }),
    sg,
  ];
};

describe("the policy pack under the Pulumi CLI's harness", () => {
  it("starts: PolicyPack constructed from policies/index.ts under the pack's package.json", async () => {
    const info = await call<Record<string, () => unknown>>(client, "getAnalyzerInfo", new emptyPb.Empty());
    const pkg = JSON.parse(readFileSync(join(ROOT, "policies/package.json"), "utf8")) as { version: string };
    expect(info.getName!()).toBe(packName);
    expect(info.getVersion!()).toBe(pkg.version);
    expect(info.getSupportsconfig!()).toBe(true);
    const listed = (info.getPoliciesList!() as Record<string, () => unknown>[]).map((p) => String(p.getName!()));
    expect(listed).toEqual(policies.map((p) => p.name));
    type Schema = { getProperties(): { toJavaScript(): Record<string, { default?: unknown }> } };
    type Info = { getName(): string; getConfigschema(): Schema | undefined };
    const rds = (info.getPoliciesList!() as Info[]).find((p) => p.getName() === "rds-hardening");
    expect(rds?.getConfigschema()?.getProperties().toJavaScript().minBackupDays?.default).toBe(7);
    expect(startupMs).toBeLessThan(90_000);
  });

  it("answers Analyze and AnalyzeStack exactly like the offline engine (fixtures)", async () => {
    const resources = fixtures();
    const policyConfig = { ...approving([resources.find((r) => r.name === "approved")!]), "rds-hardening": { minBackupDays: 7 } };
    const { live, offline } = await both(resources, policyConfig);
    expect(live).toEqual(offline);
    // and the fixtures did exercise the rules
    expect(new Set(offline.map((v) => v.policy))).toEqual(
      new Set([
        "rds-hardening",
        "rds-multi-az",
        "iam-least-privilege",
        "iam-change-approval",
        "secret-change-approval",
        "hut-stable-serial",
        "sg-no-public-ingress",
        "vpc-flow-logs",
        "required-tags",
      ]),
    );
    expect(JSON.stringify(live)).not.toContain("s3cr3t");
  });

  it("answers exactly like the offline engine on the whole staging plan, with its approvals file", async () => {
    const run = await runStack({ stack: "staging" });
    const broken = run.resources.map((r) => (r.type === "aws:rds/instance:Instance" ? { ...r, inputs: { ...r.inputs, publiclyAccessible: true } } : r));
    const { live, offline } = await both(broken, loadPolicyConfig("staging") ?? {});
    expect(live).toEqual(offline);
    expect(offline.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy)).toEqual(["rds-hardening"]);
    expect(run.resources.length).toBeGreaterThan(100);
  });
});

async function both(resources: PlanResource[], policyConfig: Record<string, unknown>): Promise<{ live: Violation[]; offline: Violation[] }> {
  {
    // Configure, as the CLI does after reconciling --policy-pack-config with the schemas.
    const reconciled = reconcilePolicyConfig(policies, policyConfig);
    const pack = await labfleetPack();
    const creq = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, c] of reconciled) {
      const pc = new analyzerPb.PolicyConfig();
      pc.setEnforcementlevel(LEVELS.indexOf(c.enforcementLevel ?? pack.enforcementLevel));
      pc.setProperties(toStruct(c.properties));
      creq.getPolicyconfigMap().set(name, pc);
    }
    await call(client, "configure", creq);

    const live: Violation[] = [];
    for (const r of resources) {
      const areq = analyzerResource(r, analyzerPb.AnalyzeRequest);
      live.push(...fromDiagnostics(await call(client, "analyze", areq), r.urn));
    }
    const sreq = new analyzerPb.AnalyzeStackRequest();
    sreq.setResourcesList(resources.map((r) => analyzerResource(r, analyzerPb.AnalyzerResource)));
    live.push(...fromDiagnostics(await call(client, "analyzeStack", sreq)));

    const { evaluatePack } = await import("../../tools/plan/policy-engine.ts");
    const offline = await evaluatePack({ resources, policyConfig });
    return { live, offline };
  }
}
