import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalContainerDefinitions } from "../../../components/aws/container-definitions.ts";
import { isSecretInput, runProgram } from "../../helpers/program.ts";
import { asList, childrenOf, mockId, named, ofType, planOf, STACKS, statements } from "./fixtures.ts";

/** The mock runtime's computed ids (tools/plan/mocks.ts): a prefix of the name's sha256. */
const mockHash = (name: string, length: number) => createHash("sha256").update(name).digest("hex").slice(0, length);

const expected = {
  staging: { azs: 2, nats: 1, prod: false, backupDays: 7, minTasks: 1, maxTasks: 3, logDays: 14 },
  production: { azs: 3, nats: 3, prod: true, backupDays: 14, minTasks: 2, maxTasks: 6, logDays: 90 },
} as const;

describe.each(STACKS)("AwsConsole on %s", (stack) => {
  const x = expected[stack];

  it("is one labfleet:aws:AwsConsole whose children all use its eu-central-1 provider", async () => {
    const run = await planOf(stack);
    expect(ofType(run, "labfleet:aws:AwsConsole").map((r) => r.name)).toEqual(["console-aws"]);
    const provider = named(run, "console-aws-provider");
    expect(provider.inputs.region).toBe("eu-central-1");
    for (const r of childrenOf(run, "console-aws")) {
      if (r.type.startsWith("aws:")) expect(r.provider, r.name).toMatch(/::console-aws-provider::/);
    }
  });

  it(`spreads public and private subnets over ${x.azs} AZs with ${x.nats} NAT gateway(s)`, async () => {
    const run = await planOf(stack);
    const subnets = ofType(run, "aws:ec2/subnet:Subnet");
    const pub = subnets.filter((s) => s.name.includes("-public-"));
    const priv = subnets.filter((s) => s.name.includes("-private-"));
    expect(pub).toHaveLength(x.azs);
    expect(priv).toHaveLength(x.azs);
    expect(new Set(priv.map((s) => s.inputs.availabilityZone)).size).toBe(x.azs);
    for (const s of subnets) expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
    // Regular AZs only: the region's opted-in Local Zone (eu-central-1-ham-1a, sorting first) is never used.
    for (const s of subnets) expect(s.inputs.availabilityZone, s.name).toMatch(/^eu-central-1[a-c]$/);
    const nats = ofType(run, "aws:ec2/natGateway:NatGateway");
    expect(nats).toHaveLength(x.nats);
    for (const n of nats) expect(pub.map((s) => mockId(s.name))).toContain(n.inputs.subnetId);
    const privateRoutes = ofType(run, "aws:ec2/route:Route").filter((r) => r.name.includes("-private-"));
    expect(privateRoutes).toHaveLength(x.azs);
    const natTargets = new Set(privateRoutes.map((r) => r.inputs.natGatewayId));
    expect(natTargets.size).toBe(x.nats);
    for (const r of privateRoutes) expect(r.inputs.gatewayId).toBeUndefined();
  });

  it("ALB: public, HTTPS with a TLS 1.3 policy and a validated ACM certificate, HTTP only 301s, invalid headers dropped", async () => {
    const run = await planOf(stack);
    const alb = named(run, "console-aws-alb");
    expect(alb.inputs.internal).toBe(false);
    expect(alb.inputs.dropInvalidHeaderFields).toBe(true);
    expect(alb.inputs.enableDeletionProtection).toBe(x.prod);
    const publicIds = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("-public-")).map((s) => mockId(s.name));
    expect(alb.inputs.subnets).toEqual(publicIds);

    const https = named(run, "console-aws-https");
    expect(https.inputs).toMatchObject({ port: 443, protocol: "HTTPS" });
    expect(String(https.inputs.sslPolicy)).toMatch(/^ELBSecurityPolicy-TLS13-1-3-/);
    const cert = named(run, "console-aws-cert");
    expect(cert.inputs).toMatchObject({ domainName: `console.${stack}.lab.example.org`, validationMethod: "DNS" });
    const validation = named(run, "console-aws-cert-validated");
    expect(https.dependencies).toContain(validation.urn);
    const tg = named(run, "console-aws-tg");
    const httpsActions = https.inputs.defaultActions as { type: string; order: number; targetGroupArn?: string; authenticateOidc?: Record<string, unknown> }[];
    expect(httpsActions.map((a) => [a.type, a.order])).toEqual([
      ["authenticate-oidc", 1],
      ["forward", 2],
    ]);
    expect(httpsActions[0]!.authenticateOidc).toMatchObject({
      issuer: "https://login.lab.example.org",
      tokenEndpoint: "https://login.lab.example.org/oauth2/token",
      clientId: `labfleet-console-${stack}`,
      onUnauthenticatedRequest: "authenticate",
    });
    expect(isSecretInput(https, "defaultActions[0].authenticateOidc.clientSecret")).toBe(true);
    expect(httpsActions[1]!.targetGroupArn).toContain("console-aws-tg");

    const http = named(run, "console-aws-http");
    expect(http.inputs).toMatchObject({ port: 80, protocol: "HTTP" });
    const actions = http.inputs.defaultActions as { type: string; redirect?: Record<string, unknown> }[];
    expect(actions).toHaveLength(1);
    expect(actions[0]!.type).toBe("redirect");
    expect(actions[0]!.redirect).toMatchObject({ protocol: "HTTPS", port: "443", statusCode: "HTTP_301" });

    expect(tg.inputs).toMatchObject({ targetType: "ip", port: 8080, protocol: "HTTP" });
    expect(tg.inputs.healthCheck).toMatchObject({ path: "/healthz", enabled: true });
  });

  it(`access logs ${x.prod ? "go to a private, encrypted, TLS-only bucket" : "are off (config)"}`, async () => {
    const run = await planOf(stack);
    const alb = named(run, "console-aws-alb");
    // the console's own buckets (the artifact store's: artifact-store.test.ts)
    const buckets = ofType(run, "aws:s3/bucket:Bucket").filter((b) => b.name.startsWith("console-aws"));
    if (!x.prod) {
      expect(alb.inputs.accessLogs).toBeUndefined();
      expect(buckets).toHaveLength(0);
      return;
    }
    expect(buckets).toHaveLength(1);
    const bucket = buckets[0]!;
    expect(alb.inputs.accessLogs).toMatchObject({ enabled: true, bucket: mockId(bucket.name), prefix: "alb" });
    expect(String(bucket.inputs.bucketPrefix)).toBe("labfleet-production-alb-logs-");
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(named(run, "console-aws-alb-logs-public-access").inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(named(run, "console-aws-alb-logs-sse").inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    const policy = statements(named(run, "console-aws-alb-logs-policy").inputs.policy);
    const writers = policy.filter((s) => s.Effect === "Allow");
    // The log-delivery service principal, never a per-region ELB account (aws.elb.getServiceAccount).
    expect(writers.map((s) => s.Principal)).toEqual([{ Service: "logdelivery.elasticloadbalancing.amazonaws.com" }]);
    for (const s of writers) {
      expect(s.Action).toBe("s3:PutObject");
      expect(String(s.Resource)).toMatch(/\/alb\/AWSLogs\/123456789012\/\*$/);
    }
    expect(policy.find((s) => s.Sid === "DenyInsecureTransport")?.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
    expect(alb.dependencies).toContain(named(run, "console-aws-alb-logs-policy").urn);
  });

  it("security groups chain internet → ALB 80/443 → tasks :8080 → DB :5432 and nothing else is open", async () => {
    const run = await planOf(stack);
    const [alb, tasks, db] = ["alb", "tasks", "db"].map((n) => mockId(`console-aws-${n}-sg`));
    const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs);
    const rule = (r: Record<string, unknown>) => [r.securityGroupId, r.fromPort, r.toPort, r.cidrIpv4 ?? r.referencedSecurityGroupId];
    expect(ingress.map(rule).sort()).toEqual(
      [
        [alb, 80, 80, "0.0.0.0/0"],
        [alb, 443, 443, "0.0.0.0/0"],
        [tasks, 8080, 8080, alb],
        [db, 5432, 5432, tasks],
      ].sort(),
    );
    for (const r of ingress) expect(r.ipProtocol).toBe("tcp");
    const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => r.inputs);
    expect(egress.map(rule).sort()).toEqual(
      [
        [alb, 8080, 8080, tasks],
        [alb, 443, 443, "0.0.0.0/0"],
        [tasks, 5432, 5432, db],
        [tasks, 443, 443, "0.0.0.0/0"],
      ].sort(),
    );
    for (const sg of ofType(run, "aws:ec2/securityGroup:SecurityGroup")) {
      expect(sg.inputs.ingress, sg.name).toBeUndefined();
      expect(sg.inputs.egress, sg.name).toBeUndefined();
    }
    expect(named(run, "console-aws-default-sg").inputs).toMatchObject({ ingress: [], egress: [] });
  });

  it("Fargate service: private subnets, no public IP, circuit breaker with rollback, grace period, autoscaling on CPU and memory", async () => {
    const run = await planOf(stack);
    const svc = named(run, "console-aws-service");
    const privateIds = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("-private-")).map((s) => mockId(s.name));
    expect(svc.inputs.launchType).toBe("FARGATE");
    expect(svc.inputs.networkConfiguration).toEqual({ subnets: privateIds, securityGroups: [mockId("console-aws-tasks-sg")], assignPublicIp: false });
    expect(svc.inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect(svc.inputs.waitForSteadyState).toBe(true);
    expect(svc.inputs.healthCheckGracePeriodSeconds).toBe(60);
    expect(svc.inputs.desiredCount).toBe(x.minTasks);
    expect(svc.ignoreChanges).toContain("desiredCount");
    expect(svc.inputs.loadBalancers).toEqual([{ targetGroupArn: expect.stringContaining("console-aws-tg"), containerName: "console", containerPort: 8080 }]);

    const target = named(run, "console-aws-scaling");
    expect(target.inputs).toMatchObject({ minCapacity: x.minTasks, maxCapacity: x.maxTasks, scalableDimension: "ecs:service:DesiredCount", serviceNamespace: "ecs" });
    const policies = ofType(run, "aws:appautoscaling/policy:Policy").map((p) => p.inputs.targetTrackingScalingPolicyConfiguration as Record<string, { predefinedMetricType: string }>);
    expect(policies.map((p) => p.predefinedMetricSpecification!.predefinedMetricType).sort()).toEqual(["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"]);

    const logs = named(run, "console-aws-logs");
    expect(logs.inputs).toMatchObject({ name: `/labfleet/${stack}/console-aws`, retentionInDays: x.logDays });
  });

  it("task definition: canonical JSON; the app logs in as its own IAM-authenticated role, only the bootstrap container holds the master secret", async () => {
    const run = await planOf(stack);
    const td = named(run, "console-aws-task");
    const json = String(td.inputs.containerDefinitions);
    const defs = JSON.parse(json) as Record<string, unknown>[];
    expect(canonicalContainerDefinitions(defs as never)).toBe(json);
    type Def = {
      name: string;
      essential: boolean;
      environment: { name: string; value: string }[];
      secrets?: { name: string; valueFrom: string }[];
      dependsOn?: unknown[];
      entryPoint?: string[];
      logConfiguration: { options: Record<string, string> };
    };
    const [app, bootstrap] = ["console", "db-bootstrap"].map((n) => (defs as Def[]).find((d) => d.name === n)!);
    const secretArn = (run.outputs.plain as { consoleAws: { dbSecretArn: string } }).consoleAws.dbSecretArn;
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:/);
    // The application: no password at all, its own login, starts only after the bootstrap succeeded.
    expect(app!.secrets).toBeUndefined();
    const env = Object.fromEntries(app!.environment.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ DB_USERNAME: "console_app", DB_AUTH: "iam", DB_NAME: "console", DB_SSLMODE: "require", DB_PORT: "5432" });
    expect(env.DB_USERNAME).not.toBe("console");
    expect(app!.dependsOn).toEqual([{ condition: "SUCCESS", containerName: "db-bootstrap" }]);
    expect(app!.logConfiguration.options["awslogs-group"]).toBe(`/labfleet/${stack}/console-aws`);
    // The bootstrap: master credentials read by ECS at each task start (so rotation never breaks it), one-shot.
    expect(bootstrap!.essential).toBe(false);
    expect(bootstrap!.secrets).toEqual([
      { name: "PGPASSWORD", valueFrom: `${secretArn}:password::` },
      { name: "PGUSER", valueFrom: `${secretArn}:username::` },
    ]);
    expect(bootstrap!.entryPoint!.slice(0, 4)).toEqual(["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1"]);
    expect(bootstrap!.entryPoint!.at(-1)).toContain('GRANT "rds_iam" TO "console_app";');
    expect(td.inputs).toMatchObject({ networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], family: `labfleet-${stack}-console-aws` });
  });

  it("execution role may read only the DB secret and write only its log group; task role may only connect as the app user", async () => {
    const run = await planOf(stack);
    const secretArn = (run.outputs.plain as { consoleAws: { dbSecretArn: string } }).consoleAws.dbSecretArn;
    const policies = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.parent?.endsWith("console-aws"));
    expect(policies.map((p) => p.name).sort()).toEqual(["console-aws-execution-policy", "console-aws-flow-logs-write", "console-aws-task-policy"]);
    const st = statements(named(run, "console-aws-execution-policy").inputs.policy);
    const secrets = st.filter((s) => asList(s.Action).some((a) => a.startsWith("secretsmanager:")));
    expect(secrets).toEqual([{ Sid: "ReadDbSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArn }]);
    for (const s of st) expect(asList(s.Resource)).not.toContain("*");
    const db = named(run, "console-aws-db");
    expect(db.inputs.iamDatabaseAuthenticationEnabled).toBe(true);
    const resourceId = mockHash("console-aws-db", 26).toUpperCase();
    expect(statements(named(run, "console-aws-task-policy").inputs.policy)).toEqual([
      { Sid: "ConnectAsAppUser", Effect: "Allow", Action: ["rds-db:connect"], Resource: `arn:aws:rds-db:eu-central-1:123456789012:dbuser:db-${resourceId}/console_app` },
    ]);
    for (const role of ["console-aws-execution-role", "console-aws-task-role"]) {
      const r = named(run, role);
      expect(r.inputs.path).toBe(`/labfleet/${stack}/console/`);
      const trust = statements(r.inputs.assumeRolePolicy);
      expect(trust).toEqual([expect.objectContaining({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" })]);
      expect(r.inputs.managedPolicyArns).toBeUndefined();
    }
  });

  it("VPC flow logs go to a retained log group through a role that may write only there; containers run read-only and unprivileged", async () => {
    const run = await planOf(stack);
    const flow = named(run, "console-aws-flow-log");
    const group = named(run, "console-aws-flow-logs");
    expect(flow.inputs).toMatchObject({ vpcId: expect.anything(), trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
    expect(group.inputs.retentionInDays).toBeGreaterThan(0);
    expect(statements(named(run, "console-aws-flow-logs-role").inputs.assumeRolePolicy)).toEqual([
      expect.objectContaining({ Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }),
    ]);
    for (const s of statements(named(run, "console-aws-flow-logs-write").inputs.policy)) expect(asList(s.Resource)).not.toContain("*");
    const task = named(run, "console-aws-task");
    const containers = JSON.parse(task.inputs.containerDefinitions as string) as { name: string; readonlyRootFilesystem?: boolean; privileged?: boolean; mountPoints?: { containerPath: string }[] }[];
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect(c.readonlyRootFilesystem, c.name).toBe(true);
      expect(c.privileged, c.name).toBe(false);
      expect(c.mountPoints?.map((m) => m.containerPath), c.name).toEqual(["/tmp"]);
    }
    expect(task.inputs.volumes).toEqual([{ name: "scratch" }]);
  });

  it(`WAF: a regional web ACL with AWS managed rule groups and a per-IP rate limit is associated with the ALB`, async () => {
    const run = await planOf(stack);
    const acl = named(run, "console-aws-waf");
    expect(acl.inputs).toMatchObject({ scope: "REGIONAL", defaultAction: { allow: {} } });
    const rules = acl.inputs.rules as { name: string; priority: number; statement: Record<string, Record<string, unknown>> }[];
    expect(rules[0]!.statement.rateBasedStatement).toMatchObject({ aggregateKeyType: "IP", limit: 1000 });
    expect(rules.slice(1).map((r) => r.statement.managedRuleGroupStatement)).toEqual(
      ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet"].map((name) => ({ vendorName: "AWS", name })),
    );
    const association = named(run, "console-aws-waf-alb").inputs;
    expect(association.resourceArn).toMatch(/:loadbalancer\/console-aws-alb$/);
    expect(association.webAclArn).toMatch(/:webacl\/console-aws-waf$/);
  });

  it(`RDS: encrypted, private, RDS-managed password, backups ${x.backupDays}d, ${x.prod ? "multi-AZ, deletion protection, final snapshot, protect" : "no production hardening"}`, async () => {
    const run = await planOf(stack);
    const db = named(run, "console-aws-db");
    expect(db.inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "16",
      storageEncrypted: true,
      publiclyAccessible: false,
      manageMasterUserPassword: true,
      backupRetentionPeriod: x.backupDays,
      multiAz: x.prod,
      deletionProtection: x.prod,
      skipFinalSnapshot: !x.prod,
      performanceInsightsEnabled: true,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      vpcSecurityGroupIds: [mockId("console-aws-db-sg")],
    });
    expect(db.inputs.password).toBeUndefined();
    // A replace-safe identifier: a random suffix renewed with every replacement (keepers = replace-only inputs).
    const suffix = named(run, "console-aws-db-suffix");
    expect(suffix.inputs.keepers).toEqual({ engine: "postgres", dbName: "console", username: "console", storageEncrypted: "true" });
    const hex = mockHash("console-aws-db-suffix", 8);
    const identifier = `labfleet-${stack}-console-aws-db-${hex}`;
    expect(db.inputs.identifier).toBe(identifier);
    // Every delete leaves a snapshot under a name never used before (the instance's own identifier).
    if (x.prod) expect(db.inputs.finalSnapshotIdentifier).toBe(`${identifier}-final`);
    else expect(db.inputs.finalSnapshotIdentifier).toBeUndefined();
    // A major-version change is a real diff and is applied; nothing is ignored.
    expect(db.ignoreChanges).toEqual([]);
    expect(db.inputs.allowMajorVersionUpgrade).toBe(true);
    // The exported logs land in declared log groups with retention, created before the instance.
    const groups = ["postgresql", "upgrade"].map((log) => named(run, `console-aws-db-log-${log}`));
    expect(groups.map((g) => g.inputs.name)).toEqual([`/aws/rds/instance/${identifier}/postgresql`, `/aws/rds/instance/${identifier}/upgrade`]);
    for (const g of groups) {
      expect(g.inputs.retentionInDays).toBe(x.logDays);
      expect(db.dependencies).toContain(g.urn);
    }
    expect(db.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
    expect(db.protect).toBe(x.prod);
    const subnetGroup = named(run, "console-aws-db-subnets");
    const privateIds = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("-private-")).map((s) => mockId(s.name));
    expect(subnetGroup.inputs.subnetIds).toEqual(privateIds);
  });

  it("exports the console URL, ALB DNS name, DB endpoint, DB secret ARN and log group — none of them secret", async () => {
    const run = await planOf(stack);
    const out = (run.outputs.plain as { consoleAws: Record<string, string> }).consoleAws;
    expect(Object.keys(out).sort()).toEqual(["albDnsName", "dbEndpoint", "dbSecretArn", "logGroup", "url"]);
    expect(out.url).toBe(`https://console.${stack}.lab.example.org`);
    expect(out.dbEndpoint).toMatch(/\.rds\.amazonaws\.com:5432$/);
    expect(run.outputs.secretPaths.filter((p) => p.startsWith("consoleAws"))).toEqual([]);
  });

  it("tags come from the component: every taggable AWS resource carries environment, component and stack", async () => {
    const run = await planOf(stack);
    for (const r of childrenOf(run, "console-aws")) {
      const tags = r.inputs.tags as Record<string, string> | undefined;
      if (!tags) continue;
      expect(tags, r.name).toMatchObject({ environment: stack, component: "aws/AwsConsole", "managed-by": "pulumi", "pulumi-stack": stack });
    }
  });
});

describe("repeated runs", () => {
  it("send byte-identical task definitions and IAM policies (no new task definition revision per run)", async () => {
    const first = await planOf("staging");
    // A second, independent program run (runProgram is sequential; the cached run has finished).
    const second = await runProgram({ stack: "staging" });
    const texts = (run: typeof first) =>
      run.resources
        .filter((r) => ["aws:ecs/taskDefinition:TaskDefinition", "aws:iam/rolePolicy:RolePolicy", "aws:iam/role:Role"].includes(r.type))
        .map((r) => [r.name, r.inputs.containerDefinitions ?? r.inputs.policy ?? r.inputs.assumeRolePolicy]);
    expect(texts(second)).toEqual(texts(first));
    expect(texts(first).length).toBeGreaterThan(5);
  });
});
