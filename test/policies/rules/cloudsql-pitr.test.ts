import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const instance = (name: string, databaseVersion: unknown, backupConfiguration: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  res("gcp:sql/databaseInstance:DatabaseInstance", name, { databaseVersion, region: "europe-west3", settings: { tier: "db-f1-micro", backupConfiguration }, ...extra });

describe("cloudsql-pitr", () => {
  it("passes PostgreSQL with pointInTimeRecoveryEnabled, MySQL with binary logs, and read replicas", async () => {
    const rs = [
      instance("pg", "POSTGRES_16", { enabled: true, pointInTimeRecoveryEnabled: true }),
      instance("my", "MYSQL_8_0", { enabled: true, binaryLogEnabled: true }),
      instance("replica", "POSTGRES_16", {}, { masterInstanceName: "pg" }),
      instance("pending-replica", "POSTGRES_16", {}, { masterInstanceName: unknown.string }),
    ];
    expect(await check("cloudsql-pitr", rs)).toEqual([]);
  });

  it("fails an instance that cannot be restored to a point in time", async () => {
    const vs = await check("cloudsql-pitr", [instance("pg", "POSTGRES_16", { enabled: true }), instance("my", "MYSQL_8_0", { enabled: true, binaryLogEnabled: false, pointInTimeRecoveryEnabled: true })]);
    expect(problems(mandatory(vs))).toEqual([
      "gcp:sql/databaseInstance:DatabaseInstance::pg cannot be restored to a point in time (pointInTimeRecoveryEnabled is unset)",
      "gcp:sql/databaseInstance:DatabaseInstance::my cannot be restored to a point in time (binaryLogEnabled is false)",
    ]);
  });

  it("unknowns fail closed", async () => {
    const vs = await check("cloudsql-pitr", [instance("pg", "POSTGRES_16", { pointInTimeRecoveryEnabled: unknown.boolean }), instance("v", unknown.string, {})]);
    expect(problems(mandatory(vs))).toEqual([
      "gcp:sql/databaseInstance:DatabaseInstance::pg settings.backupConfiguration.pointInTimeRecoveryEnabled is unknown during preview, so it cannot be verified",
      "gcp:sql/databaseInstance:DatabaseInstance::v databaseVersion is unknown during preview, so it cannot be verified",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
