import type * as pulumi from "@pulumi/pulumi";

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

