import * as impl from "../../../../components/hut/hut-action-impl.ts";

/** HutAction's provider driven as the engine would: check, then create with the checked inputs. */
export async function created(inputs: Record<string, unknown>) {
  const checked = await impl.check({}, inputs);
  if ("failures" in checked) throw new Error(JSON.stringify(checked.failures));
  return impl.create(checked.inputs);
}

/** The message a promise rejects with; resolving is a test failure. */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a failure");
}
