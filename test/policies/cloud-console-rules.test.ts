import { beforeAll, describe, expect, it } from "vitest";
import { evaluatePack } from "../../tools/plan/policy-engine.ts";
import { loadPolicyConfig } from "../../tools/plan/policy.ts";
import { runStack, type PlanResource } from "../../tools/plan/run.ts";
import { noDowngrade, problems, type Violation } from "./helpers.ts";

/**
 * The cloud-console rules on the real production plan, one input flipped (or one resource added or
 * removed) at a time: each change adds exactly the named rule's violation, or — for a fix the
 * components are expected to make — removes it. Compared with the unchanged plan, so the cases
 * hold whether or not the committed components already satisfy a rule.
 */
let base: PlanResource[] = [];
let baseViolations: Violation[] = [];
const config = loadPolicyConfig("production") ?? {};

beforeAll(async () => {
  base = (await runStack({ stack: "production" })).resources;
  baseViolations = await evaluatePack({ resources: base, policyConfig: config });
}, 180_000);

const key = (v: Violation) => `${v.policy} ${v.urn} ${v.message}`;

/** Violations of `rule` the change adds (compared with the unchanged plan), and all violations after it. */
async function change(rule: string, mutate: (rs: PlanResource[]) => void) {
  const rs = structuredClone(base);
  mutate(rs);
  const after = await evaluatePack({ resources: rs, policyConfig: config });
  expect(noDowngrade(after)).toBe(true);
  const before = new Set(baseViolations.filter((v) => v.policy === rule).map(key));
  return { added: problems(after.filter((v) => v.policy === rule && !before.has(key(v)))), all: after };
}

const one = (rs: PlanResource[], type: string, name?: string) => rs.find((r) => r.type === type && (name === undefined || r.name === name))!;

describe("cloud-console rules on the production plan", () => {
  it("a TLS 1.0 security policy on the HTTPS listener: lb-https-only is satisfied, lb-tls-policy-floor is not", async () => {
    const c = await change("lb-tls-policy-floor", (rs) => {
      one(rs, "aws:lb/listener:Listener", "console-aws-https").inputs.sslPolicy = "ELBSecurityPolicy-TLS-1-0-2015-04";
    });
    expect(c.added).toEqual(['aws:lb/listener:Listener::console-aws-https uses security policy "ELBSecurityPolicy-TLS-1-0-2015-04", which accepts TLS 1.0']);
    expect(c.all.filter((v) => v.policy === "lb-https-only")).toEqual([]);
  });

  it("ALB without deletion protection and access logs; RDS single-AZ; Cloud SQL without PITR", async () => {
    const alb = await change("alb-production-hardening", (rs) => {
      const lb = one(rs, "aws:lb/loadBalancer:LoadBalancer");
      lb.inputs.enableDeletionProtection = false;
      lb.inputs.accessLogs = { ...(lb.inputs.accessLogs as object), enabled: false };
    });
    expect(alb.added).toEqual([
      expect.stringMatching(/^aws:lb\/loadBalancer:LoadBalancer::console-aws-alb in production writes no access logs/),
      "aws:lb/loadBalancer:LoadBalancer::console-aws-alb in production has no deletion protection",
    ]);
    const rds = await change("rds-multi-az", (rs) => {
      one(rs, "aws:rds/instance:Instance").inputs.multiAz = false;
    });
    expect(rds.added).toEqual(["aws:rds/instance:Instance::console-aws-db in production is single-AZ"]);
    const pitr = await change("cloudsql-pitr", (rs) => {
      const sql = one(rs, "gcp:sql/databaseInstance:DatabaseInstance");
      (sql.inputs.settings as { backupConfiguration: Record<string, unknown> }).backupConfiguration.pointInTimeRecoveryEnabled = false;
    });
    expect(pitr.added).toEqual(["gcp:sql/databaseInstance:DatabaseInstance::console-gcp-sql cannot be restored to a point in time (pointInTimeRecoveryEnabled is false)"]);
  });

  it("a weak SSL policy behind the HTTPS proxy; the access-log bucket without its public-access block; a log group kept forever", async () => {
    const ssl = await change("https-proxy-ssl-policy", (rs) => {
      one(rs, "gcp:compute/sSLPolicy:SSLPolicy").inputs.minTlsVersion = "TLS_1_0";
    });
    expect(ssl.added).toEqual(['gcp:compute/targetHttpsProxy:TargetHttpsProxy::console-gcp-https-proxy SSL policy console-gcp-tls accepts TLS below 1.2 (minTlsVersion="TLS_1_0")']);
    const s3 = await change("s3-public-access-block", (rs) => {
      rs.splice(rs.indexOf(one(rs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")), 1);
    });
    expect(s3.added).toEqual(["aws:s3/bucket:Bucket::console-aws-alb-logs has no public-access block"]);
    const logs = await change("log-group-retention", (rs) => {
      delete one(rs, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays;
    });
    expect(logs.added).toEqual([expect.stringMatching(/^aws:cloudwatch\/logGroup:LogGroup::\S+ keeps its events forever/)]);
  });

  it("project-level impersonation: serviceAccountUser on the project, or actAs in the CI deploy custom role (followed through the plan's property dependencies)", async () => {
    const role = await change("no-project-sa-impersonation", (rs) => {
      one(rs, "gcp:projects/iAMMember:IAMMember", "console-gcp-run-sql-client").inputs.role = "roles/iam.serviceAccountUser";
    });
    expect(role.added).toEqual([
      "gcp:projects/iAMMember:IAMMember::console-gcp-run-sql-client grants roles/iam.serviceAccountUser, which lets the member act as every service account",
    ]);
    const custom = await change("no-project-sa-impersonation", (rs) => {
      const r = one(rs, "gcp:projects/iAMCustomRole:IAMCustomRole", "ci-deploy-role");
      r.inputs.permissions = [...(r.inputs.permissions as string[]), "iam.serviceAccounts.actAs"];
    });
    expect(custom.added).toEqual([
      "gcp:projects/iAMMember:IAMMember::ci-production-role grants custom role ci-deploy-role with iam.serviceAccounts.actAs, which lets the member act as every service account",
    ]);
  });

  it("fixes the components are expected to make clear the rule: IAP on the backend service, a flow log on the VPC, a read-only unprivileged container", async () => {
    const iap = await change("cloudrun-no-public-invoker", (rs) => {
      one(rs, "gcp:compute/backendService:BackendService").inputs.iap = { enabled: true };
    });
    expect(iap.all.filter((v) => v.policy === "cloudrun-no-public-invoker")).toEqual([]);
    const noIap = await change("cloudrun-no-public-invoker", (rs) => {
      one(rs, "gcp:compute/backendService:BackendService").inputs.iap = { enabled: false };
      const svc = one(rs, "gcp:cloudrunv2/service:Service");
      svc.inputs.invokerIamDisabled = true;
      svc.inputs.iapEnabled = false;
    });
    expect(noIap.all.filter((v) => v.policy === "cloudrun-no-public-invoker").map((v) => v.urn)).toEqual([one(base, "gcp:cloudrunv2/service:Service").urn]);

    const flow = await change("vpc-flow-logs", (rs) => {
      const vpc = one(rs, "aws:ec2/vpc:Vpc");
      const urn = vpc.urn.replace("aws:ec2/vpc:Vpc::console-aws-vpc", "aws:ec2/flowLog:FlowLog::console-aws-vpc-flow");
      rs.push({ ...vpc, urn, type: "aws:ec2/flowLog:FlowLog", name: "console-aws-vpc-flow", inputs: { vpcId: "vpc-id", trafficType: "ALL" }, dependencies: [vpc.urn], propertyDependencies: { vpcId: [vpc.urn] } });
    });
    expect(flow.all.filter((v) => v.policy === "vpc-flow-logs")).toEqual([]);

    const harden = (extra: Record<string, unknown>) => (rs: PlanResource[]) => {
      const td = one(rs, "aws:ecs/taskDefinition:TaskDefinition");
      const defs = JSON.parse(String(td.inputs.containerDefinitions)) as Record<string, unknown>[];
      td.inputs.containerDefinitions = JSON.stringify(defs.map((d) => ({ ...d, readonlyRootFilesystem: true, ...extra })));
    };
    expect((await change("ecs-container-hardening", harden({}))).all.filter((v) => v.policy === "ecs-container-hardening")).toEqual([]);
    const privileged = await change("ecs-container-hardening", harden({ privileged: true }));
    expect(problems(privileged.all.filter((v) => v.policy === "ecs-container-hardening"))).toContain('aws:ecs/taskDefinition:TaskDefinition::console-aws-task container "console" is privileged');
  });
}, 240_000);
