/**
 * One `pulumi up` of the RoleRepos component against the GitLab double: Pulumi's mock runtime
 * stands in for the engine and forwards every dynamic resource to its impl module (check → create
 * on the first up; check → diff → update on the next ones), so outputs flow between resources
 * exactly as wired. `state` carries resources across ups like the engine's state file.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ProviderImpl } from "../../../components/dynamic.ts";
import { RoleRepos } from "../../../components/gitlab/role-repos.ts";
import type { GitlabConfig } from "../../../components/gitlab/settings.ts";
import { engineInputs as plain } from "../../helpers/program.ts";

const IMPLS: Record<string, () => Promise<ProviderImpl>> = {
  Group: () => import("../../../components/gitlab/group-impl.ts") as never,
  Project: () => import("../../../components/gitlab/project-impl.ts") as never,
  BootstrapFiles: () => import("../../../components/gitlab/bootstrap-files-impl.ts") as never,
  ProtectedBranch: () => import("../../../components/gitlab/protected-branch-impl.ts") as never,
  ProjectAccessToken: () => import("../../../components/gitlab/access-token-impl.ts") as never,
  Runner: () => import("../../../components/gitlab/runner-impl.ts") as never,
  RoleBoundary: () => import("../../../components/gitlab/role-boundary-impl.ts") as never,
};


export interface Stored {
  id: string;
  outs: Record<string, unknown>;
}

/** One `pulumi up` of RoleRepos; `state` carries resources across ups like the engine's state file. */
export async function up(gitlab: GitlabConfig, token: string, state: Map<string, Stored>, slotLabels = ["esp32-hut-01", "esp32-hut-02"]) {
  const ops: string[] = [];
  pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const kind = /^pulumi-nodejs:dynamic\/gitlab:(\w+)$/.exec(args.type)?.[1];
        if (!kind) return { id: `${args.name}-id`, state: args.inputs };
        const impl = await IMPLS[kind]!();
        const checked = await impl.check(state.get(args.name)?.outs ?? {}, plain(args.inputs) as Record<string, unknown>);
        if (checked.failures?.length) throw new Error(`${args.name}: ${JSON.stringify(checked.failures)}`);
        const news = checked.inputs as Record<string, unknown>;
        const old = state.get(args.name);
        if (!old) {
          const r = await impl.create(news);
          state.set(args.name, { id: r.id, outs: r.outs });
          ops.push(`create ${args.name}`);
          return { id: r.id, state: r.outs };
        }
        const plan = await impl.diff(old.id, old.outs, news);
        if (!plan.changes) return { id: old.id, state: old.outs };
        const r = await impl.update(old.id, old.outs, news);
        state.set(args.name, { id: old.id, outs: r.outs! });
        ops.push(`update ${args.name}`);
        return { id: old.id, state: r.outs };
      },
      call: (args) => args.inputs,
    },
    "labfleet",
    "staging",
    false,
  );
  const repos = new RoleRepos("gitlab", {
    tags: { environment: "staging", stack: "staging" },
    gitlab,
    token: pulumi.secret(token),
    slotLabels,
    stack: "staging",
  });
  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
  // like the engine, the up ends when every resource is done (protections have no dependents)
  const all = [
    ...Object.values(repos.namespaces),
    ...Object.values(repos.roles).flatMap((r) => [r.project, r.bootstrap, r.protection, r.token]),
    ...Object.values(repos.runners),
    repos.boundary,
  ];
  await Promise.all(all.map((r) => value(r.id)));
  const [roleEnv, ciRunnerTokens, ok] = await Promise.all([value(repos.roleEnv), value(repos.ciRunnerTokens), value(repos.infraBoundaryOk)]);
  return { ops, roleEnv, ciRunnerTokens, ok };
}

