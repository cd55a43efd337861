import { describe, expect, it } from "vitest";
import { canonicalContainerDefinitions } from "../../../components/aws/container-definitions.ts";
import { planSubnets } from "../../../components/aws/subnets.ts";
import { deployStatements, previewStatements } from "../../../components/ci/aws-permissions.ts";
import { gcpDeployPermissions } from "../../../components/ci/gcp-permissions.ts";
import { wifPoolId } from "../../../components/ci/gcp-wif.ts";
import {
  environmentSubjects,
  githubTrustPolicy,
  pullRequestSubjects,
  repositoryPrincipalSet,
  wifAttributeCondition,
} from "../../../components/ci/trust.ts";
import { appRoleSql, bootstrapCommand, quoteIdent } from "../../../components/db-app-role.ts";
import { transactionLogDays } from "../../../components/gcp/database.ts";
import { runtimeAccountId } from "../../../components/gcp/service.ts";

describe("canonical container definitions (pulumi-aws #4576)", () => {
  const def = {
    name: "web",
    image: "ghcr.io/x/web:1",
    portMappings: [{ containerPort: 8080 }],
    environment: [
      { name: "B", value: "2" },
      { name: "A", value: "1" },
      { name: "GONE", value: null },
    ],
    secrets: [
      { name: "Z", valueFrom: "arn:z" },
      { name: "Y", valueFrom: "arn:y" },
    ],
    logConfiguration: { options: { b: "2", a: "1" }, logDriver: "awslogs" },
  };

  it("emits what ECS reads back: sorted containers/env/secrets, defaults materialised, nulls dropped, keys sorted", () => {
    const sidecar = { name: "agent", image: "a:1" };
    const json = canonicalContainerDefinitions([def, sidecar]);
    const parsed = JSON.parse(json) as Record<string, unknown>[];
    expect(parsed.map((c) => c.name)).toEqual(["agent", "web"]);
    const web = parsed[1]!;
    expect(Object.keys(web)).toEqual([...Object.keys(web)].sort());
    expect(web.environment).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(web.secrets).toEqual([
      { name: "Y", valueFrom: "arn:y" },
      { name: "Z", valueFrom: "arn:z" },
    ]);
    expect(web.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);
    expect(parsed[0]).toEqual({ cpu: 0, environment: [], essential: true, image: "a:1", mountPoints: [], name: "agent", portMappings: [], systemControls: [], volumesFrom: [] });
    expect(JSON.stringify((web.logConfiguration as Record<string, unknown>).options)).toBe('{"a":"1","b":"2"}');
  });

  it("is a fixed point and independent of input key/element order, so repeated runs send identical text", () => {
    const once = canonicalContainerDefinitions([def]);
    expect(canonicalContainerDefinitions(JSON.parse(once))).toBe(once);
    const shuffled = {
      logConfiguration: { logDriver: "awslogs", options: { a: "1", b: "2" } },
      secrets: [...def.secrets].reverse(),
      environment: [...def.environment].reverse(),
      portMappings: [{ protocol: "tcp" as const, containerPort: 8080 }],
      image: def.image,
      name: def.name,
    };
    expect(canonicalContainerDefinitions([shuffled])).toBe(once);
  });

  it("rejects duplicate container names", () => {
    expect(() => canonicalContainerDefinitions([def, def])).toThrow(/duplicate container name "web"/);
  });
});

describe("subnet plan", () => {
  it("carves /20s from a /16: public low blocks, private upper half", () => {
    expect(planSubnets("10.40.0.0/16", 3)).toEqual({
      public: ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"],
      private: ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"],
    });
  });
  it("keeps subnets ≥ /27 in small VPCs and refuses what does not fit", () => {
    expect(planSubnets("192.168.5.0/24", 2)).toEqual({ public: ["192.168.5.0/27", "192.168.5.32/27"], private: ["192.168.5.128/27", "192.168.5.160/27"] });
    expect(() => planSubnets("10.0.0.0/25", 2)).toThrow(/\/16 to \/24/);
    expect(() => planSubnets("10.0.0.0/24", 5)).toThrow(/azCount/);
  });
});

describe("GitHub OIDC trust", () => {
  const repo = { owner: "example-lab", repo: "labfleet", ownerId: "42" };
  const ids = { ...repo, repositoryId: "7" };
  it("subjects and the AWS trust policy are exact (StringEquals, no wildcard)", () => {
    expect(pullRequestSubjects(repo)).toEqual(["repo:example-lab/labfleet:pull_request"]);
    expect(environmentSubjects(repo, "production")).toEqual(["repo:example-lab/labfleet:environment:production"]);
    const doc = githubTrustPolicy("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com", pullRequestSubjects(repo));
    expect(JSON.stringify(doc)).not.toContain("*");
    expect(JSON.stringify(doc)).not.toContain("StringLike");
  });
  it("with owner and repository ids, trust also accepts the immutable subject form (repo:owner@ID/repo@ID:…)", () => {
    expect(pullRequestSubjects(ids)).toEqual(["repo:example-lab/labfleet:pull_request", "repo:example-lab@42/labfleet@7:pull_request"]);
    expect(environmentSubjects(ids, "staging")).toEqual(["repo:example-lab/labfleet:environment:staging", "repo:example-lab@42/labfleet@7:environment:staging"]);
    const doc = githubTrustPolicy("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com", environmentSubjects(ids, "staging")) as {
      Statement: { Condition: { StringEquals: Record<string, unknown> } }[];
    };
    expect(doc.Statement[0]!.Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
      "repo:example-lab/labfleet:environment:staging",
      "repo:example-lab@42/labfleet@7:environment:staging",
    ]);
  });
  it("the WIF condition pins owner id, repository id, repository and subject; the principal set is one pool's repository", () => {
    expect(wifAttributeCondition(ids, pullRequestSubjects(ids))).toBe(
      'assertion.repository_owner_id == "42" && assertion.repository_id == "7" && assertion.repository == "example-lab/labfleet" && assertion.sub in ["repo:example-lab/labfleet:pull_request", "repo:example-lab@42/labfleet@7:pull_request"]',
    );
    expect(() => wifAttributeCondition({ owner: "o", repo: "r" }, ["s"])).toThrow(/ownerId/);
    expect(() => wifAttributeCondition(repo, ["s"])).toThrow(/repositoryId/);
    expect(repositoryPrincipalSet("99", "gh-preview", repo)).toBe(
      "principalSet://iam.googleapis.com/projects/99/locations/global/workloadIdentityPools/gh-preview/attribute.repository/example-lab/labfleet",
    );
  });
  it("WIF pool ids carry the stack's random suffix and fit 32 characters", () => {
    expect(wifPoolId("github", "preview", "a1b2")).toBe("github-preview-a1b2");
    const long = wifPoolId("abcdefghijklmnop", "abcdefghijklmno", "a1b2");
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long.endsWith("-a1b2")).toBe(true);
  });
});

describe("AWS CI permissions without a console", () => {
  const scope = { partition: "aws", account: "111122223333", stack: "x", project: "labfleet", stateBucket: "state-b", secretsKmsKeyArn: "arn:aws:kms:eu-central-1:111122223333:key/k" };
  it("only state access and identity reads remain; still no wildcard actions", () => {
    const preview = previewStatements({ ...scope, previewSecrets: true });
    const deploy = deployStatements({ ...scope, previewSecrets: true });
    expect(preview.map((s) => s.Sid)).toEqual(["StateBucketList", "StateObjectsRead", "StateLock", "SecretsProviderDecrypt", "ReadIdentity"]);
    expect(deploy.map((s) => s.Sid)).toEqual(["ReadIdentity", "StateBucketList", "StateObjectsReadWrite", "SecretsProviderEncryptDecrypt"]);
    for (const s of [...preview, ...deploy]) for (const a of s.Action) expect(a).not.toContain("*");
  });
  it("a preview identity reads only its own stack's checkpoint and decrypts only where previewSecrets allows", () => {
    const preview = previewStatements({ ...scope, previewSecrets: false });
    expect(preview.find((s) => s.Sid === "StateObjectsRead")?.Resource).toEqual(["arn:aws:s3:::state-b/.pulumi/meta.yaml", "arn:aws:s3:::state-b/.pulumi/stacks/labfleet/x.json"]);
    expect(preview.flatMap((s) => s.Action).filter((a) => a.startsWith("kms:"))).toEqual([]);
    expect(deployStatements({ ...scope, previewSecrets: false }).find((s) => s.Sid === "SecretsProviderEncryptDecrypt")?.Resource).toBe(scope.secretsKmsKeyArn);
  });
});

describe("GCP deploy permissions", () => {
  it("run.services.setIamPolicy only when the console disables invoker IAM (IAP opted out)", () => {
    expect(gcpDeployPermissions({ invokerIamDisabled: false })).not.toContain("run.services.setIamPolicy");
    expect(gcpDeployPermissions({ invokerIamDisabled: true })).toContain("run.services.setIamPolicy");
    expect(gcpDeployPermissions({ invokerIamDisabled: false }).filter((p) => p.endsWith(".setIamPolicy"))).toEqual([]);
  });
});

describe("application database role (both consoles)", () => {
  it("the bootstrap SQL is idempotent, quotes names and grants only connect and the public schema", () => {
    const sql = appRoleSql({ role: "console_app", database: "console", create: true, memberOf: ["rds_iam"] });
    expect(sql).toContain(`IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'console_app') THEN CREATE ROLE "console_app" LOGIN;`);
    expect(sql).toContain(`GRANT "rds_iam" TO "console_app";`);
    expect(sql).toContain(`GRANT CONNECT, TEMPORARY ON DATABASE "console" TO "console_app";`);
    expect(sql).not.toMatch(/SUPERUSER|CREATEROLE|cloudsqlsuperuser|rds_superuser/);
    expect(quoteIdent("console-gcp-run@proj.iam")).toBe('"console-gcp-run@proj.iam"');
    const gcp = appRoleSql({ role: "console-gcp-run@proj.iam", database: "console", create: false, memberOf: [] });
    expect(gcp).not.toContain("CREATE ROLE");
    expect(bootstrapCommand("SELECT 1")).toEqual(["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", "SELECT 1"]);
  });
});

describe("small GCP rules", () => {
  it("PITR log retention follows the edition limit; runtime account ids fit 6–30 chars", () => {
    expect(transactionLogDays("ENTERPRISE", 14)).toBe(7);
    expect(transactionLogDays("ENTERPRISE_PLUS", 14)).toBe(14);
    expect(transactionLogDays("ENTERPRISE", 3)).toBe(3);
    expect(runtimeAccountId("console-gcp")).toBe("console-gcp-run");
    expect(runtimeAccountId("a-very-long-component-name-for-the-console").length).toBeLessThanOrEqual(30);
    expect(runtimeAccountId("x").length).toBeGreaterThanOrEqual(6);
  });
});
