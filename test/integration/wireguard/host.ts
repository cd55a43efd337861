/**
 * Drives a provider impl the way Pulumi's dynamic-provider host does
 * (@pulumi/pulumi/cmd/dynamic-provider): every value crosses a protobuf Struct (so `undefined` or
 * non-JSON values fail here as they would there), news/props carry the `__provider` key, check's
 * inputs get `__provider` put back, and results get it added.
 */
import { createRequire } from "node:module";

const requireFromPulumi = createRequire(createRequire(import.meta.url).resolve("@pulumi/pulumi"));
const { Struct } = requireFromPulumi("google-protobuf/google/protobuf/struct_pb.js") as {
  Struct: { fromJavaScript(o: Record<string, unknown>): { toJavaScript(): Record<string, unknown> } };
};

const PROVIDER = "exports.handler = function () { /* serialized provider */ }";
type Obj = Record<string, unknown>;
const wire = (o: Obj): Obj => Struct.fromJavaScript(o).toJavaScript();

interface Impl {
  check(olds: Obj, news: Obj): Promise<{ inputs?: Obj; failures?: { property: string; reason: string }[] }>;
  diff(id: string, olds: never, news: Obj): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
  create(props: Obj): Promise<{ id: string; outs: object }>;
  read(id: string, props: never): Promise<{ id: string; props: object; inputs?: object }>;
  update(id: string, olds: never, news: Obj): Promise<{ outs: object }>;
  delete(id: string, props: never): Promise<void>;
}

/** `T` is the impl's output type, returned typed for assertions. */
export function hosted<T extends object>(impl: Impl) {
  const withProvider = (o: object): Obj => ({ ...(o as Obj), __provider: PROVIDER });
  return {
    async check(olds: Obj, news: Obj) {
      const n = wire(withProvider(news));
      const r = await impl.check(wire(olds), n);
      const inputs = { ...(r.inputs ?? n), __provider: n.__provider };
      return { inputs: wire(inputs), failures: r.failures ?? [] };
    },
    async diff(id: string, olds: T, news: Obj) {
      return impl.diff(id, wire(withProvider(olds)) as never, wire(withProvider(news)));
    },
    async create(props: Obj): Promise<{ id: string; outs: T }> {
      const r = await impl.create(wire(withProvider(props)));
      return { id: r.id, outs: wire(withProvider(r.outs)) as T };
    },
    async read(id: string, props: T): Promise<{ id: string; props: T; inputs: Obj }> {
      const r = await impl.read(id, wire(withProvider(props)) as never);
      return { id: r.id, props: wire(withProvider(r.props)) as T, inputs: wire(withProvider(r.inputs ?? {})) };
    },
    async update(id: string, olds: T, news: Obj): Promise<{ outs: T }> {
      const r = await impl.update(id, wire(withProvider(olds)) as never, wire(withProvider(news)));
      return { outs: wire(withProvider(r.outs)) as T };
    },
    async delete(id: string, props: T): Promise<void> {
      await impl.delete(id, wire(withProvider(props)) as never);
    },
  };
}
