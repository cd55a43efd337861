import type { PolicyConfigSchema } from "@pulumi/policy";
import { z } from "zod";

/**
 * A rule's tunables: one zod schema, from which the JSON Schema that CrossGuard advertises
 * (`configSchema`, defaults included so the CLI fills them in) is derived, and which parses
 * what `args.getConfig()` returns into typed values.
 */
export interface RuleConfig<T> {
  configSchema: PolicyConfigSchema;
  read(args: { getConfig<C extends object>(): C }): T;
}

export function ruleConfig<S extends z.ZodObject>(policy: string, schema: S): RuleConfig<z.output<S>> {
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-7", unrepresentable: "throw" }) as {
    properties?: PolicyConfigSchema["properties"];
    required?: string[];
  };
  const configSchema: PolicyConfigSchema = { properties: json.properties ?? {} };
  if (json.required && json.required.length > 0) configSchema.required = json.required;
  return {
    configSchema,
    read(args) {
      const parsed = schema.safeParse(args.getConfig<Record<string, unknown>>());
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new Error(`policy config ${policy}.${first?.path.join(".") ?? ""}: ${first?.message ?? "invalid"}`);
      }
      return parsed.data;
    },
  };
}

/** Environments whose resources get production hardening; shared by several rules. */
export const productionEnvironments = z
  .array(z.string())
  .default(["production"])
  .describe("values of the `environment` tag/label that count as production");

/**
 * The config keys of every rule that hardens production only: which environments count, and the
 * stack's environment for resources that carry no environment tag/label (`npm run approve` writes it).
 */
export const environmentSettings = {
  productionEnvironments,
  environment: z.string().optional().describe("the stack's environment, when resources carry no environment tag/label"),
};
