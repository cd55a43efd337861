/**
 * Values at the dynamic-provider boundary. The host passes the serialized provider as
 * `__provider` in news/props (strip it before validating), and sends results through protobuf
 * Structs, which reject `undefined` (drop it).
 */
export function withoutProvider(o: Record<string, unknown>): Record<string, unknown> {
  const { __provider: _, ...rest } = o;
  return rest;
}

export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
