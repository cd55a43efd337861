import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const group = (name: string, inputs: Record<string, unknown>) => res("aws:cloudwatch/logGroup:LogGroup", name, { name: `/labfleet/${name}`, ...inputs });

describe("log-group-retention", () => {
  it("passes log groups with a retention period", async () => {
    expect(await check("log-group-retention", [group("app", { retentionInDays: 90 }), group("rds", { retentionInDays: 1 })])).toEqual([]);
  });

  it("fails log groups kept forever (unset or 0)", async () => {
    const vs = await check("log-group-retention", [group("unset", {}), group("never", { retentionInDays: 0 })]);
    expect(problems(mandatory(vs))).toEqual([
      'aws:cloudwatch/logGroup:LogGroup::unset keeps its events forever (retentionInDays="unset")',
      "aws:cloudwatch/logGroup:LogGroup::never keeps its events forever (retentionInDays=0)",
    ]);
  });

  it("unknowns fail closed", async () => {
    const vs = await check("log-group-retention", [group("u", { retentionInDays: unknown.number })]);
    expect(problems(mandatory(vs))).toEqual(["aws:cloudwatch/logGroup:LogGroup::u retentionInDays is unknown during preview, so it cannot be verified"]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
