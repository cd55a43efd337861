import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const settings = (over: Record<string, unknown> = {}) => ({
  tier: "db-f1-micro",
  ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/p/global/networks/lab", sslMode: "ENCRYPTED_ONLY" },
  backupConfiguration: { enabled: true, backupRetentionSettings: { retainedBackups: 7 } },
  userLabels: { environment: "staging" },
  ...over,
});
const sql = (inputs: Record<string, unknown>, protect = false) => res("gcp:sql/databaseInstance:DatabaseInstance", "console-sql", inputs, { protect });

describe("cloudsql-hardening", () => {
  it("passes a private, TLS-only, backed-up instance; production with deletion protection and protect", async () => {
    expect(await check("cloudsql-hardening", [sql({ databaseVersion: "POSTGRES_16", settings: settings() })])).toEqual([]);
    const prod = sql({ settings: settings({ deletionProtectionEnabled: true, userLabels: { environment: "production" } }) }, true);
    expect(await check("cloudsql-hardening", [prod])).toEqual([]);
  });

  it("fails public IP, open networks, unencrypted connections, missing backups, unprotected production", async () => {
    const vs = await check("cloudsql-hardening", [
      sql({
        deletionProtection: false,
        settings: {
          ipConfiguration: { authorizedNetworks: [{ name: "all", value: "0.0.0.0/0" }] },
          backupConfiguration: { enabled: false },
          userLabels: { environment: "production" },
        },
      }),
    ]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      'gcp:sql/databaseInstance:DatabaseInstance::console-sql has a public IPv4 address (ipv4Enabled="default true")',
      "gcp:sql/databaseInstance:DatabaseInstance::console-sql has no private network",
      "gcp:sql/databaseInstance:DatabaseInstance::console-sql authorizes 0.0.0.0/0",
      'gcp:sql/databaseInstance:DatabaseInstance::console-sql accepts unencrypted connections (sslMode="default ALLOW_UNENCRYPTED_AND_ENCRYPTED")',
      "gcp:sql/databaseInstance:DatabaseInstance::console-sql has automated backups off",
      "gcp:sql/databaseInstance:DatabaseInstance::console-sql in production has Pulumi deletionProtection off",
      "gcp:sql/databaseInstance:DatabaseInstance::console-sql in production has no API deletion protection",
      "gcp:sql/databaseInstance:DatabaseInstance::console-sql in production is not protected by Pulumi",
    ]);
  });

  it("applies minBackupDays to retained backups", async () => {
    const vs = await check("cloudsql-hardening", [sql({ settings: settings() })], { "cloudsql-hardening": { minBackupDays: 14 } });
    expect(vs[0]?.message).toContain("retains 7 backup(s), below the minimum of 14 days. Fix: set settings.backupConfiguration.backupRetentionSettings.retainedBackups to 14 or more");
  });

  it("unknowns: flags fail closed, an unknown private network (the VPC's output) passes", async () => {
    const s = settings();
    const vs = await check("cloudsql-hardening", [
      sql({ settings: { ...s, ipConfiguration: { ipv4Enabled: unknown.boolean, privateNetwork: unknown.string, sslMode: "ENCRYPTED_ONLY" } } }),
    ]);
    expect(mandatory(vs).map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "gcp:sql/databaseInstance:DatabaseInstance::console-sql settings.ipConfiguration.ipv4Enabled is unknown during preview, so it cannot be verified",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
