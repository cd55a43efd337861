import { describe, expect, it } from "vitest";
import { isSecretInput } from "../../helpers/program.ts";
import { childrenOf, mockId, named, ofType, planOf, STACKS } from "./fixtures.ts";

const expected = {
  staging: { prod: false, availability: "ZONAL", backupDays: 7, tier: "db-f1-micro", min: 0, max: 3 },
  production: { prod: true, availability: "REGIONAL", backupDays: 14, tier: "db-custom-2-7680", min: 1, max: 10 },
} as const;

/** What the mock runtime answers for the generated password (tools/plan/mocks.ts). */
const MOCK_PASSWORD = "offline-random-password";

describe.each(STACKS)("GcpConsole on %s", (stack) => {
  const x = expected[stack];
  const project = `labfleet-${stack}`;

  it("is one labfleet:gcp:GcpConsole whose GCP children use its provider for the configured project/region", async () => {
    const run = await planOf(stack);
    expect(ofType(run, "labfleet:gcp:GcpConsole").map((r) => r.name)).toEqual(["console-gcp"]);
    expect(named(run, "console-gcp-provider").inputs).toMatchObject({ project, region: "europe-west3" });
    for (const r of childrenOf(run, "console-gcp")) {
      if (r.type.startsWith("gcp:")) expect(r.provider, r.name).toMatch(/::console-gcp-provider::/);
    }
  });

  it("Cloud Run: dedicated SA, internal-LB ingress, invoker IAM on (IAP), min/max, Cloud SQL volume, IAM database login without a password, VPC egress", async () => {
    const run = await planOf(stack);
    const svc = named(run, "console-gcp-run");
    const sa = named(run, "console-gcp-run-sa");
    expect(sa.inputs.accountId).toBe("console-gcp-run");
    const email = `${sa.inputs.accountId}@proj.iam.gserviceaccount.com`;
    expect(svc.inputs).toMatchObject({
      location: "europe-west3",
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      deletionProtection: x.prod,
      invokerIamDisabled: false,
    });
    const t = svc.inputs.template as {
      serviceAccount: string;
      scaling: Record<string, number>;
      volumes: { name: string; cloudSqlInstance: { instances: string[] } }[];
      vpcAccess: { egress: string; networkInterfaces: Record<string, string>[] };
      containers: { image: string; envs: { name: string; value?: string; valueSource?: unknown }[]; volumeMounts: unknown[] }[];
    };
    expect(t.serviceAccount).toBe(email);
    expect(t.scaling).toEqual({ minInstanceCount: x.min, maxInstanceCount: x.max });
    const connection = (run.outputs.plain as { consoleGcp: { sqlConnectionName: string } }).consoleGcp.sqlConnectionName;
    expect(t.volumes).toEqual([{ name: "cloudsql", cloudSqlInstance: { instances: [connection] } }]);
    expect(t.containers[0]!.volumeMounts).toEqual([{ name: "cloudsql", mountPath: "/cloudsql" }]);
    expect(t.vpcAccess).toEqual({ egress: "PRIVATE_RANGES_ONLY", networkInterfaces: [{ network: mockId("console-gcp-vpc"), subnetwork: mockId("console-gcp-run-egress") }] });
    const envs = t.containers[0]!.envs;
    // No password reaches the application: it logs in as its service account's IAM user.
    expect(envs.filter((e) => e.name === "DB_PASSWORD" || e.valueSource !== undefined)).toEqual([]);
    const env = Object.fromEntries(envs.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ DB_HOST: "10.10.0.3", DB_USERNAME: "console-gcp-run@proj.iam", DB_AUTH: "iam" });
    for (const e of envs) expect(e.value ?? "").not.toContain(MOCK_PASSWORD);
  });

  it("the app's database login is the runtime SA as an IAM user (not the built-in superuser), granted by a bootstrap job that runs before Cloud Run", async () => {
    const run = await planOf(stack);
    const sql = named(run, "console-gcp-sql");
    const flags = (sql.inputs.settings as { databaseFlags: { name: string; value: string }[] }).databaseFlags;
    expect(flags).toContainEqual({ name: "cloudsql.iam_authentication", value: "on" });
    const appUser = named(run, "console-gcp-sql-app-user");
    expect(appUser.inputs).toMatchObject({ name: "console-gcp-run@proj.iam", type: "CLOUD_IAM_SERVICE_ACCOUNT" });
    expect(appUser.inputs.password).toBeUndefined();
    const adminUser = named(run, "console-gcp-sql-user");
    const job = named(run, "console-gcp-db-bootstrap");
    expect(String(job.inputs.runExecutionToken)).toMatch(/^b[0-9a-f]{12}$/);
    const jt = (job.inputs.template as { template: { serviceAccount: string; containers: { image: string; commands: string[]; args: string[]; envs: { name: string; value?: string; valueSource?: unknown }[] }[] } }).template;
    expect(jt.serviceAccount).toBe("console-gcp-dbinit@proj.iam.gserviceaccount.com");
    const c = jt.containers[0]!;
    expect(c.image).toBe("docker.io/library/postgres:16-alpine");
    expect(c.commands).toEqual(["psql"]);
    expect(c.args.at(-1)).toContain('TO "console-gcp-run@proj.iam";');
    expect(c.envs.find((e) => e.name === "PGPASSWORD")?.valueSource).toEqual({ secretKeyRef: { secret: "console-gcp-db-password", version: "1" } });
    expect(job.dependencies).toEqual(expect.arrayContaining([adminUser.urn, appUser.urn]));
    // Cloud Run waits for both logins and for the grants.
    const svc = named(run, "console-gcp-run");
    expect(svc.dependencies).toEqual(expect.arrayContaining([adminUser.urn, appUser.urn, job.urn]));
  });

  it("the runtime SA may only connect and log in to exactly that instance; only the bootstrap SA reads the admin password", async () => {
    const run = await planOf(stack);
    const member = "serviceAccount:console-gcp-run@proj.iam.gserviceaccount.com";
    const accessors = ofType(run, "gcp:secretmanager/secretIamMember:SecretIamMember").map((a) => [a.inputs.member, a.inputs.role, a.inputs.secretId]);
    expect(accessors.sort()).toEqual(
      [
        ["serviceAccount:console-gcp-dbinit@proj.iam.gserviceaccount.com", "roles/secretmanager.secretAccessor", mockId("console-gcp-db-password")],
        [`serviceAccount:ci-deploy-${stack}@proj.iam.gserviceaccount.com`, "roles/secretmanager.secretAccessor", mockId("console-gcp-db-password")],
      ].sort(),
    );
    const projectGrants = ofType(run, "gcp:projects/iAMMember:IAMMember").filter((r) => r.inputs.member === member);
    expect(projectGrants.map((g) => g.inputs.role).sort()).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    for (const g of projectGrants) {
      expect((g.inputs.condition as { expression: string }).expression).toBe(
        `resource.name == 'projects/${project}/instances/console-gcp-sql' && resource.type == 'sqladmin.googleapis.com/Instance'`,
      );
    }
    const svc = named(run, "console-gcp-run");
    expect(svc.dependencies).toEqual(expect.arrayContaining(projectGrants.map((g) => g.urn)));
  });

  it("Cloud SQL: diskSize is only the initial size (ignored after autoresize grew the disk, never a replacement)", async () => {
    const run = await planOf(stack);
    const sql = named(run, "console-gcp-sql");
    expect((sql.inputs.settings as Record<string, unknown>).diskAutoresize).toBe(true);
    expect(sql.ignoreChanges).toEqual(["settings.diskSize"]);
  });

  it("access: IAP on the backend (only the configured members), Cloud Armor with preconfigured WAF rules and a per-IP rate limit, IAP's agent is the only invoker", async () => {
    const run = await planOf(stack);
    const backend = named(run, "console-gcp-backend");
    expect(backend.inputs.iap).toEqual({ enabled: true });
    const armor = named(run, "console-gcp-armor");
    expect(backend.inputs.securityPolicy).toBe("https://www.googleapis.com/compute/v1/projects/proj/global/SecurityPolicy/console-gcp-armor");
    expect(armor.inputs.type).toBe("CLOUD_ARMOR");
    const rules = armor.inputs.rules as { priority: number; action: string; match: { expr?: { expression: string } }; rateLimitOptions?: Record<string, unknown> }[];
    expect(rules[0]).toMatchObject({ action: "throttle", rateLimitOptions: { enforceOnKey: "IP", exceedAction: "deny(429)", rateLimitThreshold: { count: 600, intervalSec: 60 } } });
    const waf = rules.filter((r) => r.match.expr?.expression.startsWith("evaluatePreconfiguredWaf("));
    expect(waf.map((r) => r.match.expr!.expression)).toEqual(expect.arrayContaining(["evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})", "evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})"]));
    for (const r of waf) expect(r.action).toBe("deny(403)");
    expect(rules.at(-1)).toMatchObject({ priority: 2147483647, action: "allow" });
    const accessors = ofType(run, "gcp:iap/webBackendServiceIamMember:WebBackendServiceIamMember");
    expect(accessors.map((a) => [a.inputs.role, a.inputs.member])).toEqual([["roles/iap.httpsResourceAccessor", `group:lab-console-${stack}@lab.example.org`]]);
    const invokers = ofType(run, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember");
    expect(invokers.map((i) => [i.inputs.role, i.inputs.member])).toEqual([["roles/run.invoker", "serviceAccount:service-123456789@gcp-sa-iap.iam.gserviceaccount.com"]]);
  });

  it("APIs: one enablement per API in the project (console and CI share it); service accounts and IAM wait for iam and cloudresourcemanager", async () => {
    const run = await planOf(stack);
    const services = ofType(run, "gcp:projects/service:Service");
    const apis = services.map((a) => a.inputs.service as string);
    expect(new Set(apis).size).toBe(apis.length);
    expect(apis).toEqual(expect.arrayContaining(["iam.googleapis.com", "cloudresourcemanager.googleapis.com", "iap.googleapis.com", "sts.googleapis.com"]));
    const needed = services.filter((a) => ["iam.googleapis.com", "cloudresourcemanager.googleapis.com"].includes(a.inputs.service as string)).map((a) => a.urn);
    const identity = [...ofType(run, "gcp:serviceaccount/account:Account"), ...ofType(run, "gcp:projects/iAMMember:IAMMember")];
    expect(identity.length).toBeGreaterThan(4);
    for (const r of identity) expect(r.dependencies, r.name).toEqual(expect.arrayContaining(needed));
  });

  it(`Cloud SQL: private IP only, TLS only, PITR backups (${x.backupDays}), ${x.availability}, edition explicit, protection ${x.prod}`, async () => {
    const run = await planOf(stack);
    const sql = named(run, "console-gcp-sql");
    expect(sql.inputs).toMatchObject({ databaseVersion: "POSTGRES_16", region: "europe-west3", deletionProtection: x.prod });
    const s = sql.inputs.settings as Record<string, Record<string, unknown> | unknown>;
    expect(s).toMatchObject({ tier: x.tier, edition: "ENTERPRISE", availabilityType: x.availability, deletionProtectionEnabled: x.prod });
    expect(s.ipConfiguration).toEqual({ ipv4Enabled: false, privateNetwork: mockId("console-gcp-vpc"), sslMode: "ENCRYPTED_ONLY" });
    expect(s.backupConfiguration).toMatchObject({
      enabled: true,
      pointInTimeRecoveryEnabled: true,
      transactionLogRetentionDays: 7,
      backupRetentionSettings: { retainedBackups: x.backupDays, retentionUnit: "COUNT" },
    });
    expect(sql.protect).toBe(x.prod);
    const connection = named(run, "console-gcp-private-services-peering");
    expect(sql.dependencies).toContain(connection.urn);
    const range = named(run, "console-gcp-private-services");
    expect(range.inputs).toMatchObject({ purpose: "VPC_PEERING", addressType: "INTERNAL", prefixLength: 20, network: mockId("console-gcp-vpc") });
    expect(connection.inputs).toMatchObject({ network: mockId("console-gcp-vpc"), service: "servicenetworking.googleapis.com", reservedPeeringRanges: ["console-gcp-private-services"] });
  });

  it("the DB password is generated, stored as a Secret Manager version and secret end to end", async () => {
    const run = await planOf(stack);
    const generated = ofType(run, "random:index/randomPassword:RandomPassword");
    expect(generated).toHaveLength(1);
    expect(generated[0]!.additionalSecretOutputs).toContain("result");
    const user = named(run, "console-gcp-sql-user");
    expect(isSecretInput(user, "password")).toBe(true);
    const version = named(run, "console-gcp-db-password-v");
    expect(version.inputs.secret).toBe(mockId("console-gcp-db-password"));
    expect(isSecretInput(version, "secretData")).toBe(true);
    expect(named(run, "console-gcp-db-password").inputs).toMatchObject({ secretId: "console-gcp-db-password", replication: { auto: {} }, deletionProtection: x.prod });
    // The plaintext appears nowhere a human or the plan JSON could see it.
    expect(JSON.stringify(run.resources.map((r) => r.redactedInputs))).not.toContain(MOCK_PASSWORD);
    expect(JSON.stringify(run.outputs.plain)).not.toContain(MOCK_PASSWORD);
  });

  it("external HTTPS LB: serverless NEG → backend (no health checks/timeout) → URL map → managed cert → proxy → :443; :80 only redirects", async () => {
    const run = await planOf(stack);
    const neg = named(run, "console-gcp-neg");
    expect(neg.inputs).toMatchObject({ networkEndpointType: "SERVERLESS", region: "europe-west3", cloudRun: { service: "console-gcp-run" } });
    const backend = named(run, "console-gcp-backend");
    expect(backend.inputs).toMatchObject({ loadBalancingScheme: "EXTERNAL_MANAGED", protocol: "HTTPS", backends: [{ group: mockId("console-gcp-neg") }] });
    expect(backend.inputs.healthChecks).toBeUndefined();
    expect(backend.inputs.timeoutSec).toBeUndefined();
    expect(named(run, "console-gcp-urlmap").inputs.defaultService).toBe(mockId("console-gcp-backend"));
    expect(named(run, "console-gcp-cert").inputs.managed).toEqual({ domains: [`console-gcp.${stack}.lab.example.org`] });
    const proxy = named(run, "console-gcp-https-proxy");
    expect(proxy.inputs).toMatchObject({ urlMap: mockId("console-gcp-urlmap"), sslCertificates: [mockId("console-gcp-cert")], sslPolicy: mockId("console-gcp-tls") });
    expect(named(run, "console-gcp-tls").inputs).toMatchObject({ minTlsVersion: "TLS_1_2", profile: "MODERN" });
    const ip = mockId("console-gcp-ip");
    expect(named(run, "console-gcp-https").inputs).toMatchObject({ target: mockId("console-gcp-https-proxy"), ipAddress: ip, portRange: "443", loadBalancingScheme: "EXTERNAL_MANAGED" });
    expect(named(run, "console-gcp-http").inputs).toMatchObject({ target: mockId("console-gcp-http-proxy"), ipAddress: ip, portRange: "80" });
    expect(named(run, "console-gcp-http-proxy").inputs.urlMap).toBe(mockId("console-gcp-http-redirect"));
    const redirect = named(run, "console-gcp-http-redirect");
    expect(redirect.inputs.defaultService).toBeUndefined();
    expect(redirect.inputs.defaultUrlRedirect).toMatchObject({ httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT" });
    const rules = ofType(run, "gcp:compute/globalForwardingRule:GlobalForwardingRule").map((r) => r.inputs.portRange).sort();
    expect(rules).toEqual(["443", "80"]);
  });

  it("exports the URL, LB IP, connection name and the secret's id (not its value)", async () => {
    const run = await planOf(stack);
    const out = (run.outputs.plain as { consoleGcp: Record<string, string> }).consoleGcp;
    expect(out).toEqual({
      url: `https://console-gcp.${stack}.lab.example.org`,
      loadBalancerIp: "203.0.113.10",
      sqlConnectionName: "proj:europe-west3:console-gcp-sql",
      dbPasswordSecretId: "console-gcp-db-password",
    });
  });
});
