import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const good = { storageEncrypted: true, publiclyAccessible: false, backupRetentionPeriod: 7, tags: { environment: "staging" } };
const db = (inputs: Record<string, unknown>, protect = false) => res("aws:rds/instance:Instance", "console-db", inputs, { protect });

describe("rds-hardening", () => {
  it("passes an encrypted private instance with backups; production with deletion protection and protect", async () => {
    expect(await check("rds-hardening", [db(good)])).toEqual([]);
    expect(await check("rds-hardening", [db({ ...good, backupRetentionPeriod: 14, deletionProtection: true, tags: { environment: "production" } }, true)])).toEqual([]);
  });

  it("fails public, unencrypted, short backups, and unprotected production databases", async () => {
    const lines = (await check("rds-hardening", [db({ publiclyAccessible: true, backupRetentionPeriod: 1, tags: { environment: "production" } })])).map(
      (v) => v.message.split("\n")[1],
    );
    expect(lines).toEqual([
      "aws:rds/instance:Instance::console-db is not encrypted at rest (storageEncrypted=false). Fix: set storageEncrypted: true (optionally kmsKeyId)",
      "aws:rds/instance:Instance::console-db keeps backups for 1 day(s), below the minimum of 7. Fix: set backupRetentionPeriod to 7 or more",
      "aws:rds/instance:Instance::console-db is publicly accessible. Fix: set publiclyAccessible: false and reach it from private subnets",
      "aws:rds/instance:Instance::console-db in production has no deletion protection. Fix: set deletionProtection: true",
      "aws:rds/instance:Instance::console-db in production is not protected by Pulumi. Fix: pass { protect: true } in its resource options",
    ]);
  });

  it("uses minBackupDays and the configured environment", async () => {
    const vs = await check("rds-hardening", [db({ ...good, tags: {} })], { "rds-hardening": { minBackupDays: 10, environment: "production" } });
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "aws:rds/instance:Instance::console-db keeps backups for 7 day(s), below the minimum of 10",
      "aws:rds/instance:Instance::console-db in production has no deletion protection",
      "aws:rds/instance:Instance::console-db in production is not protected by Pulumi",
    ]);
  });

  it("checks clusters too", async () => {
    const vs = await check("rds-hardening", [res("aws:rds/cluster:Cluster", "c", { storageEncrypted: false, backupRetentionPeriod: 7 })]);
    expect(vs[0]?.message).toContain("aws:rds/cluster:Cluster::c is not encrypted at rest");
  });

  it("unknowns fail closed", async () => {
    const vs = await check("rds-hardening", [db({ ...good, publiclyAccessible: unknown.boolean, storageEncrypted: unknown.boolean })]);
    expect(mandatory(vs).map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "aws:rds/instance:Instance::console-db storageEncrypted is unknown during preview, so it cannot be verified",
      "aws:rds/instance:Instance::console-db publiclyAccessible is unknown during preview, so it cannot be verified",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
