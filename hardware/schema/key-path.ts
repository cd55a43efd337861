/**
 * Renders a zod path the way a user types it in Pulumi config or a hut inventory:
 * `slots[1].serialById`, or after a prefix `labfleet:hut.slots[1].serialById`. The stack config
 * (stacks/config/errors.ts), the hut CLI and the dynamic providers' input errors all format key
 * paths with it; it lives in the lowest layer so each of them can import it.
 */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ""): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}
