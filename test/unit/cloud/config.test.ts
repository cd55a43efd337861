import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { configProblems } from "../../helpers/stack-config.ts";
import { fargateMemoryAllowed } from "../../../components/aws/settings.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { plan } from "../../helpers/cli.ts";

type Obj = Record<string, unknown>;
interface StackDoc extends Obj {
  "labfleet:console": { aws: Obj & { db: Obj }; gcp: Obj & { db: Obj } };
  "labfleet:ci": { github: Obj; environments: string[]; gcp: Obj };
}
type Doc = { config: StackDoc };
const loadDoc = (stack: string) => parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as Doc;

/** The committed stack file with `edit` applied to its parsed document; returns every problem. */
const problemsOf = (stack: "staging" | "production", edit: (cfg: StackDoc) => void): string[] => configProblems<StackDoc>(stack, edit);

const aws = (c: StackDoc) => c["labfleet:console"].aws;
const gcp = (c: StackDoc) => c["labfleet:console"].gcp;

describe("console/ci config errors name the exact key path", () => {
  it("the committed staging and production stacks are valid", () => {
    expect(problemsOf("staging", () => {})).toEqual([]);
    expect(problemsOf("production", () => {})).toEqual([]);
  });

  it("access control is on by default: staging without an IdP must opt out explicitly; production cannot opt out", () => {
    expect(problemsOf("staging", (c) => delete (aws(c).access as Obj).oidc)).toEqual([
      "labfleet:console.aws.access.oidc: required while access.enabled is true (or opt out explicitly with access.enabled: false, never in production)",
    ]);
    expect(problemsOf("staging", (c) => delete gcp(c).access)).toEqual([
      "labfleet:console.gcp.access.members: name at least one IAM member while access.enabled is true (or opt out explicitly with access.enabled: false, never in production)",
    ]);
    expect(
      problemsOf("staging", (c) => {
        aws(c).access = { enabled: false };
        gcp(c).access = { enabled: false };
        delete (c as Obj)["labfleet:awsOidcClientSecret"];
      }),
    ).toEqual([]);
    expect(
      problemsOf("production", (c) => {
        aws(c).access = { enabled: false, waf: false };
        gcp(c).access = { enabled: false, armor: false };
        (c["labfleet:ci"] as Obj).previewSecrets = true;
      }).sort(),
    ).toEqual(
      [
        "labfleet:console.aws.access.enabled: must be true in production (authentication before the app)",
        "labfleet:console.aws.access.waf: must be true in production",
        "labfleet:console.gcp.access.enabled: must be true in production (authentication before the app)",
        "labfleet:console.gcp.access.armor: must be true in production",
        "labfleet:ci.previewSecrets: must be false in production (pull-request previews never decrypt production secrets)",
      ].sort(),
    );
    expect(problemsOf("production", (c) => delete (c as Obj)["labfleet:awsOidcClientSecret"])).toEqual([
      "labfleet:awsOidcClientSecret: required because console.aws.access.enabled is true (pulumi config set --secret labfleet:awsOidcClientSecret …)",
    ]);
    expect(problemsOf("staging", (c) => ((c["labfleet:ci"].github as Obj).repositoryId = "x"))).toEqual(["labfleet:ci.github.repositoryId: must be the numeric GitHub repository id"]);
  });

  it("AWS console without a certificate or domain → labfleet:console.aws.certificateArn", () => {
    const p = problemsOf("staging", (c) => {
      delete aws(c).domain;
      delete aws(c).hostedZoneId;
    });
    expect(p).toEqual(["labfleet:console.aws.certificateArn: the HTTPS listener needs a certificate: set certificateArn, or domain and hostedZoneId"]);
  });

  it("a domain without a hosted zone (and no certificateArn) → labfleet:console.aws.hostedZoneId", () => {
    const p = problemsOf("staging", (c) => delete aws(c).hostedZoneId);
    expect(p).toEqual(["labfleet:console.aws.hostedZoneId: required with domain to create and DNS-validate the certificate (or set certificateArn)"]);
    const withArn = problemsOf("staging", (c) => {
      delete aws(c).hostedZoneId;
      aws(c).certificateArn = "arn:aws:acm:eu-central-1:123456789012:certificate/0b5c1a7e-1111-2222-3333-444455556666";
    });
    expect(withArn).toEqual([]);
  });

  it("backup retention 0 in production → labfleet:console.aws.db.backupRetentionDays (and gcp), but allowed in staging", () => {
    const p = problemsOf("production", (c) => {
      aws(c).db.backupRetentionDays = 0;
      gcp(c).db.backupRetentionDays = 0;
    });
    expect(p).toEqual([
      "labfleet:console.aws.db.backupRetentionDays: must be at least 7 (governance.minBackupDays) in production",
      "labfleet:console.gcp.db.backupRetentionDays: must be at least 7 (governance.minBackupDays) in production",
    ]);
    expect(problemsOf("staging", (c) => (aws(c).db.backupRetentionDays = 0))).toEqual([]);
  });

  it("production must carry the hardening in its config: multi-AZ, deletion protection, access logs, NAT per AZ, REGIONAL", () => {
    const p = problemsOf("production", (c) => {
      aws(c).db.multiAz = false;
      aws(c).deletionProtection = false;
      aws(c).accessLogs = false;
      aws(c).natGateways = "single";
      gcp(c).db.availabilityType = "ZONAL";
      gcp(c).deletionProtection = false;
    });
    expect(p.map((x) => x.split(":").slice(0, 2).join(":"))).toEqual([
      "labfleet:console.aws.db.multiAz",
      "labfleet:console.aws.deletionProtection",
      "labfleet:console.aws.accessLogs",
      "labfleet:console.aws.natGateways",
      "labfleet:console.gcp.db.availabilityType",
      "labfleet:console.gcp.deletionProtection",
    ]);
  });

  it("Fargate sizes, autoscaling bounds, Cloud SQL edition/tier and Cloud Run bounds", () => {
    expect(problemsOf("staging", (c) => (aws(c).memory = 3000))).toEqual(["labfleet:console.aws.memory: 3000 MiB is not a valid Fargate memory size for cpu 512"]);
    expect(problemsOf("staging", (c) => (aws(c).autoscaling = { min: 4, max: 2 }))).toEqual(["labfleet:console.aws.autoscaling.max: must be ≥ autoscaling.min (4)"]);
    expect(problemsOf("staging", (c) => (aws(c).sslPolicy = "ELBSecurityPolicy-2016-08"))[0]).toMatch(/^labfleet:console\.aws\.sslPolicy: /);
    expect(problemsOf("staging", (c) => (gcp(c).db.edition = "ENTERPRISE_PLUS"))).toEqual([
      "labfleet:console.gcp.db.edition: shared-core tier db-f1-micro needs edition ENTERPRISE",
      "labfleet:console.gcp.db.tier: ENTERPRISE_PLUS needs a db-perf-optimized-* tier",
    ]);
    expect(problemsOf("staging", (c) => (gcp(c).minInstances = 5))).toEqual(["labfleet:console.gcp.maxInstances: must be ≥ minInstances (5)"]);
    expect(fargateMemoryAllowed(256, 512)).toBe(true);
    expect(fargateMemoryAllowed(256, 4096)).toBe(false);
    expect(fargateMemoryAllowed(4096, 30720)).toBe(true);
    expect(fargateMemoryAllowed(1000, 2048)).toBe(false);
  });

  it("ci: GCP needs a project and the owner id; environments are unique and not 'preview'", () => {
    const p = problemsOf("staging", (c) => {
      delete c["labfleet:ci"].gcp.project;
      delete c["labfleet:ci"].github.ownerId;
      c["labfleet:ci"].environments = ["staging", "staging", "preview"];
    });
    expect(p).toEqual([
      'labfleet:ci.environments[1]: duplicate environment "staging"',
      'labfleet:ci.environments[2]: "preview" is reserved for the pull-request identity',
      "labfleet:ci.gcp.project: required when ci.gcp.enabled is true",
      "labfleet:ci.github.ownerId: required when ci.gcp.enabled is true (the WIF attribute condition pins the owner id)",
    ]);
  });
});

describe("npm run plan with a bad console config", () => {
  const dir = mkdtempSync(join(tmpdir(), "labfleet-cloud-plan-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 2 and prints the key path, registering nothing", () => {
    const doc = loadDoc("production");
    delete aws(doc.config).domain;
    delete aws(doc.config).hostedZoneId;
    aws(doc.config).db.backupRetentionDays = 0;
    const file = join(dir, "bad.yaml");
    writeFileSync(file, stringify(doc));
    const r = plan(["--stack", "production", "--config-file", file, "--json"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("labfleet:console.aws.certificateArn: the HTTPS listener needs a certificate");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
