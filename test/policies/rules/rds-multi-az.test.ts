import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const db = (name: string, inputs: Record<string, unknown>, env = "production") =>
  res("aws:rds/instance:Instance", name, { engine: "postgres", storageEncrypted: true, tags: { environment: env }, ...inputs });

describe("rds-multi-az", () => {
  it("passes a Multi-AZ production instance and single-AZ staging", async () => {
    expect(await check("rds-multi-az", [db("prod", { multiAz: true }), db("staging", { multiAz: false }, "staging")])).toEqual([]);
  });

  it("fails a single-AZ production instance, also when multiAz is unset or production comes from config", async () => {
    const vs = await check("rds-multi-az", [db("single", { multiAz: false }), db("unset", {}), res("aws:rds/instance:Instance", "untagged", {})], {
      "rds-multi-az": { environment: "production" },
    });
    expect(problems(vs)).toEqual([
      "aws:rds/instance:Instance::single in production is single-AZ",
      "aws:rds/instance:Instance::unset in production is single-AZ",
      "aws:rds/instance:Instance::untagged in production is single-AZ",
    ]);
  });

  it("honours productionEnvironments", async () => {
    const vs = await check("rds-multi-az", [db("prod-eu", {}, "prod-eu")], { "rds-multi-az": { productionEnvironments: ["prod-eu"] } });
    expect(problems(vs)).toEqual(["aws:rds/instance:Instance::prod-eu in prod-eu is single-AZ"]);
  });

  it("unknowns fail closed", async () => {
    const vs = await check("rds-multi-az", [db("u", { multiAz: unknown.boolean })]);
    expect(problems(mandatory(vs))).toEqual(["aws:rds/instance:Instance::u multiAz is unknown during preview, so it cannot be verified"]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
