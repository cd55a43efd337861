import { describe, expect, it } from "vitest";
import { check, noDowngrade, res, unknown } from "../helpers.ts";

describe("no-static-cloud-keys", () => {
  it("passes keyless resources and providers", async () => {
    const ok = [
      res("aws:iam/role:Role", "ci", { assumeRolePolicy: "{}" }),
      res("pulumi:providers:aws", "aws", { region: "eu-central-1" }),
      res("aws:ecs/taskDefinition:TaskDefinition", "td", { containerDefinitions: JSON.stringify([{ name: "app", environment: [{ name: "PORT", value: "8080" }] }]) }),
      res("command:remote:Command", "c", { create: "hut slots", environment: { AWS_REGION: "eu-central-1" }, connection: { host: unknown.string } }),
    ];
    expect(await check("no-static-cloud-keys", ok)).toEqual([]);
  });

  it("fails access keys and service-account keys", async () => {
    const vs = await check("no-static-cloud-keys", [
      res("aws:iam/accessKey:AccessKey", "ci-key", { user: "ci" }),
      res("gcp:serviceaccount/key:Key", "sa-key", { serviceAccountId: "sa" }),
    ]);
    expect(vs.map((v) => v.message.split("\n")[1])).toEqual([
      "aws:iam/accessKey:AccessKey::ci-key creates an IAM user access key, a long-lived credential. Fix: use GitHub OIDC with an IAM role (AWS) or Workload Identity Federation (GCP) instead of stored keys",
      "gcp:serviceaccount/key:Key::sa-key creates a service-account key, a long-lived credential. Fix: use GitHub OIDC with an IAM role (AWS) or Workload Identity Federation (GCP) instead of stored keys",
    ]);
    expect(vs.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
  });

  it("fails providers with static keys, key variables and key material, without echoing values", async () => {
    const keyId = "AKIAABCDEFGHIJKLMNOP";
    const vs = await check("no-static-cloud-keys", [
      res("pulumi:providers:aws", "static", { region: "eu-central-1", accessKey: keyId, secretKey: "wJalrXUtnFEMI" }),
      res("aws:ecs/taskDefinition:TaskDefinition", "td", {
        containerDefinitions: JSON.stringify([{ name: "app", environment: [{ name: "AWS_SECRET_ACCESS_KEY", value: "x" }] }]),
      }),
      res("command:local:Command", "cmd", { create: "deploy", environment: { GOOGLE_APPLICATION_CREDENTIALS: "/k.json" } }),
      res("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretString: JSON.stringify({ type: "service_account", private_key: "-----BEGIN" }) }),
      res("aws:ssm/parameter:Parameter", "p", { type: "String", value: `key=${keyId}` }),
    ]);
    const text = vs.map((v) => v.message).join("\n");
    expect(text).toContain("provider static is configured with a static credential (accessKey)");
    expect(text).toContain("provider static is configured with a static credential (secretKey)");
    expect(text).toContain("sets the variable AWS_SECRET_ACCESS_KEY at containerDefinitions<json>[0].environment[0]");
    expect(text).toContain("passes GOOGLE_APPLICATION_CREDENTIALS at environment.GOOGLE_APPLICATION_CREDENTIALS");
    expect(text).toContain("contains a GCP service-account key file at secretString<json>");
    expect(text).toContain("aws:ssm/parameter:Parameter::p contains an AWS access key id at value");
    expect(text).not.toContain(keyId);
    expect(text).not.toContain("wJalrXUtnFEMI");
  });

  it("unknowns: the key types fail without reading values, unknown values are skipped", async () => {
    const vs = await check("no-static-cloud-keys", [res("aws:iam/accessKey:AccessKey", "k", { user: unknown.string, pgpKey: unknown.string })]);
    expect(vs).toHaveLength(1);
    expect(vs[0]?.enforcementLevel).toBe("mandatory");
    expect(noDowngrade(vs)).toBe(true);
  });
});
