import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/**
 * The dynamic-provider kit (docs/architecture.md, "Dynamic providers"): the adapter the engine
 * serializes (`delegatingProvider`), the `ProviderImpl` contract of every `*-impl.ts`, the
 * resource base every dynamic resource extends (`DynamicResource`). The impl-side helpers
 * (`checkInputs`, unknown values, diffs) are in `dynamic-inputs.ts`, which loads no more of the SDK
 * than its rpc module (impls run in the provider host and in tests).
 */

type Props = Record<string, unknown>;

/** What every `*-impl.ts` module exports: the provider's real logic, driven directly by tests. */
export interface ProviderImpl {
  check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props?: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
}

type DelegatingProvider = pulumi.dynamic.ResourceProvider & { impl(): Promise<ProviderImpl> };
const providers = new Map<string, DelegatingProvider>();

/**
 * The one dynamic-provider adapter (docs/architecture.md, "Dynamic providers"): a self-contained
 * object literal whose methods only delegate to the impl module, loaded at run time through tsx's
 * CJS API from the project root, found upward from the host's cwd (the engine starts the host in
 * the directory of `main`, not the project root). The only
 * captured value is `implPath`, a relative path string, frozen at serialization. Loaded impls are
 * cached per process, so a host serving many resources transforms each module once.
 */
export function delegatingProvider(implPath: string): DelegatingProvider {
  // One provider object per impl: Pulumi caches a provider's serialization by object identity,
  // so every resource of a kind reuses one serialized closure instead of re-serializing it.
  const known = providers.get(implPath);
  if (known) return known;
  const provider = {
    async impl(): Promise<ProviderImpl> {
      const g = globalThis as { __labfleetProviderImpls?: Map<string, ProviderImpl> };
      g.__labfleetProviderImpls ??= new Map();
      const cached = g.__labfleetProviderImpls.get(implPath);
      if (cached) return cached;
      const { createRequire } = process.getBuiltinModule("node:module") as typeof import("node:module");
      const { existsSync } = process.getBuiltinModule("node:fs") as typeof import("node:fs");
      const { dirname, join } = process.getBuiltinModule("node:path") as typeof import("node:path");
      // The engine starts this host with the directory of the program's `main` as cwd (e.g.
      // stacks/), not the project root: find the root as the nearest ancestor holding the impl.
      let dir = process.cwd();
      while (!existsSync(join(dir, implPath))) {
        const parent = dirname(dir);
        if (parent === dir) throw new Error(`labfleet dynamic provider: ${implPath} not found above ${process.cwd()}`);
        dir = parent;
      }
      const root = join(dir, "package.json");
      const tsx = createRequire(root)("tsx/cjs/api") as typeof import("tsx/cjs/api");
      const loaded = tsx.require(implPath, root) as ProviderImpl;
      g.__labfleetProviderImpls.set(implPath, loaded);
      return loaded;
    },
    // The host passes the serialized provider as `__provider` in every property bag and adds it
    // back to every result: impls never see it (their strict schemas would reject it).
    async check(olds: Props, news: Props) {
      const { __provider: _o, ...o } = olds;
      const { __provider: _n, ...n } = news;
      return (await this.impl()).check(o, n);
    },
    async diff(id: string, olds: Props, news: Props) {
      const { __provider: _o, ...o } = olds;
      const { __provider: _n, ...n } = news;
      return (await this.impl()).diff(id, o, n);
    },
    // Results cross the wire as protobuf Structs, which refuse `undefined`: send plain JSON.
    async create(inputs: Props) {
      const { __provider: _, ...i } = inputs;
      return JSON.parse(JSON.stringify(await (await this.impl()).create(i)));
    },
    async read(id: string, props: Props) {
      const { __provider: _, ...p } = props ?? {};
      return JSON.parse(JSON.stringify(await (await this.impl()).read(id, p)));
    },
    async update(id: string, olds: Props, news: Props) {
      const { __provider: _o, ...o } = olds;
      const { __provider: _n, ...n } = news;
      return JSON.parse(JSON.stringify(await (await this.impl()).update(id, o, n)));
    },
    async delete(id: string, props: Props) {
      const { __provider: _, ...p } = props;
      return (await this.impl()).delete(id, p);
    },
  } satisfies pulumi.dynamic.ResourceProvider & { impl(): Promise<ProviderImpl> };
  providers.set(implPath, provider);
  return provider;
}


// ---- the resource side ----------------------------------------------------------------------

/** A schema's input type as resource args: every value, at any depth, may be an Output. */
export type Args<T> = T extends string | number | boolean | null | undefined
  ? pulumi.Input<T>
  : T extends readonly (infer U)[]
    ? pulumi.Input<Args<U>[]>
    : T extends object
      ? pulumi.Input<{ [K in keyof T]: Args<T[K]> }>
      : pulumi.Input<T>;

/** The args of a resource whose impl validates them with `schema` (its input side). */
export type ArgsOf<S extends z.ZodType> = { [K in keyof z.input<S>]: Args<z.input<S>[K]> };

/** What a dynamic resource type is: its impl module, type token and output properties. */
export interface DynamicKind {
  /** The impl module, relative to the project root (e.g. `./components/lxd/instance-impl.ts`). */
  impl: string;
  /** Type token parts: `pulumi-nodejs:dynamic/<module>:<type>`. */
  module: string;
  type: string;
  /** Output-only properties, registered as not-yet-known inputs so they can be read back. */
  outputs: readonly string[];
  /** Properties kept secret in state, in addition to any the caller names. */
  secretOutputs: readonly string[];
}

/** The caller's `additionalSecretOutputs` first, then the resource's own, each once. */
export function mergeSecretOutputs(opts: pulumi.CustomResourceOptions, own: readonly string[]): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...new Set([...(opts.additionalSecretOutputs ?? []), ...own])] };
}

/** The registered properties: the args, plus each output the args do not set, as `undefined`. */
export function declareOutputs(args: object, outputs: readonly string[]): Props {
  const props: Props = { ...args };
  for (const k of outputs) if (!(k in props)) props[k] = undefined;
  return props;
}

/**
 * A resource kind, its impl module `M` declared to be a `ProviderImpl` (a type error otherwise):
 * `dynamicKind<typeof import("./x-impl.ts")>({ impl: "./components/…/x-impl.ts", … })`.
 */
export function dynamicKind<M extends ProviderImpl>(kind: DynamicKind): DynamicKind & { readonly __impl?: M } {
  return kind;
}

/**
 * The base of every labfleet dynamic resource: the kind's delegating provider, its outputs
 * declared, and the caller's `additionalSecretOutputs` merged with the kind's own (never
 * replaced: a caller's secret stays secret).
 */
export abstract class DynamicResource extends pulumi.dynamic.Resource {
  constructor(kind: DynamicKind, name: string, args: object, opts: pulumi.CustomResourceOptions = {}) {
    super(delegatingProvider(kind.impl), name, declareOutputs(args, kind.outputs), mergeSecretOutputs(opts, kind.secretOutputs), kind.module, kind.type);
  }
}
