import * as pulumi from "@pulumi/pulumi";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { GitlabProjectAccessToken } from "./access-token.ts";
import { GitlabBootstrapFiles } from "./bootstrap-files.ts";
import { renderRoleEnv } from "./env-file.ts";
import { GitlabGroup } from "./group.ts";
import { ownerMarker, runnerDescription, tokenName } from "./naming.ts";
import { DEFAULT_BRANCH, PRODUCT_ROLE, RESTRICTED_ROLE, ROLES, RUNNER_ROLE, type Role } from "./roles.ts";
import { type GitlabConfig, roleNamespace, roleProjectPath } from "./settings.ts";
import { GitlabProject } from "./project.ts";
import { GitlabProtectedBranch } from "./protected-branch.ts";
import { GitlabRoleBoundary } from "./role-boundary.ts";
import { CiRunner } from "./runner.ts";
import { GitlabTokenRetirement } from "./token-retirement.ts";
import { renderBootstrap, repoUrl } from "./templates.ts";
import { GitlabCiVariable } from "./ci-variable.ts";
import { GitlabPipelineSchedule } from "./pipeline-schedule.ts";
import { type HardwareLaneInput, LANE_TEMPLATE_PATH, LANE_VARIABLES, type LaneVariable, renderHardwareLane } from "./hardware-lane.ts";

export interface RoleReposArgs extends LabComponentArgs {
  /** The enabled `labfleet:gitlab` section. */
  gitlab: GitlabConfig;
  /** `labfleet:gitlabToken` (secret). */
  token: pulumi.Input<string>;
  /** HUT slot labels; one runner each on the runner repository. */
  slotLabels: string[];
  stack: string;
  /** The hardware lane (`labfleet:hut.lane`): its CI template joins the runner repository's bootstrap files. */
  hardwareLane?: Omit<HardwareLaneInput, "stack"> & {
    /** Values (secret config) of the runner repository's CI/CD variables the lane jobs read. */
    variables: Record<LaneVariable, pulumi.Input<string>>;
  };
  /**
   * Roles whose token the stack delivers to where their agents live (the runner hosts): they
   * rotate in two phases — call `retireAfterDelivery` with what the delivery produced.
   */
  deliveredRoles?: readonly Role[];
}

export interface RoleRepoOutputs {
  project: GitlabProject;
  protection: GitlabProtectedBranch;
  bootstrap: GitlabBootstrapFiles;
  token: GitlabProjectAccessToken;
}

/**
 * `labfleet:gitlab:RoleRepos` — the role namespaces (looked up or created), and per role (arch = the
 * existing product repo, infra, runner), in its namespace: a private project with default branch main, its bootstrap files, protected main and a project
 * access token; a runner per HUT slot label on the runner repository; and the check that the infra
 * role cannot reach the product repository.
 */
export class RoleRepos extends LabComponent {
  /** One per distinct role namespace, by full path. */
  readonly namespaces: Record<string, GitlabGroup>;
  readonly roles: Record<Role, RoleRepoOutputs>;
  readonly runners: Record<string, CiRunner>;
  /** The hardware lane's masked, protected CI/CD variables on the runner repository, by key. */
  readonly laneVariables: Record<string, GitlabCiVariable> = {};
  /** The runner repository's schedule that runs every slot's `health:<label>` job. */
  readonly healthSchedule?: GitlabPipelineSchedule;
  readonly boundary: GitlabRoleBoundary;
  /** HTTPS remote of each role repository (from config: known at plan time). */
  readonly repoUrls: Record<Role, string>;
  /** Env file text per role (`GITLAB_HOST`, `GITLAB_USER`, `GITLAB_PAT`) — secret. */
  readonly roleEnv: pulumi.Output<Record<Role, string>>;
  /** The same text of one role (secret): what a delivery writes, so it depends on that role's token only. */
  readonly roleEnvs: Record<Role, pulumi.Output<string>>;
  /** Runner authentication token per slot label — secret. */
  readonly ciRunnerTokens: pulumi.Output<Record<string, string>>;
  /** True when the infra role has no membership on (and cannot read) the product repository. */
  readonly infraBoundaryOk: pulumi.Output<boolean>;

  private readonly gitlab: GitlabConfig;
  private readonly stack: string;
  private readonly managingToken: pulumi.Output<string>;
  private readonly deliveredRoles: readonly Role[];
  private readonly projectPaths = {} as Record<Role, string>;

  constructor(name: string, args: RoleReposArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitlab", "RoleRepos", name, args, opts);
    const g = args.gitlab;
    const conn = { gitlabUrl: g.url, gitlabToken: pulumi.secret(args.token) };
    this.gitlab = g;
    this.stack = args.stack;
    this.managingToken = conn.gitlabToken;
    this.deliveredRoles = args.deliveredRoles ?? [];
    const host = new URL(g.url).host;

    const namespaces: Record<string, GitlabGroup> = {};
    for (const ns of [...new Set(ROLES.map((r) => roleNamespace(g, r)))]) {
      const members = ROLES.filter((r) => roleNamespace(g, r) === ns);
      namespaces[ns] = new GitlabGroup(
        this.childName(`ns-${ns.replaceAll("/", "-")}`),
        {
          ...conn,
          fullPath: ns,
          roles: members,
          create: g.namespaces.create,
          visibility: "private",
          description: `labfleet namespace of the ${members.join(", ")} role repositories, ${ownerMarker(args.stack)}`,
        },
        this.child(),
      );
    }

    const roles = {} as Record<Role, RoleRepoOutputs>;
    for (const role of ROLES) {
      const repo = g.roles[role];
      const projectPath = roleProjectPath(g, role);
      this.projectPaths[role] = projectPath;
      const project = new GitlabProject(
        this.childName(`${role}-project`),
        {
          ...conn,
          role,
          namespace: roleNamespace(g, role),
          path: repo.path,
          description: `labfleet ${role} role repository, ${ownerMarker(args.stack)}`,
          visibility: "private",
          defaultBranch: DEFAULT_BRANCH,
          existing: repo.existing,
          stack: args.stack,
        },
        // the product repository is adopted: never deleted, not even by `pulumi destroy`
        this.child({ dependsOn: [namespaces[roleNamespace(g, role)]!], ...(repo.existing ? { retainOnDelete: true } : {}) }),
      );
      const scoped = { ...conn, role, projectId: project.projectId, projectPath };
      const bootstrap = new GitlabBootstrapFiles(
        this.childName(`${role}-bootstrap`),
        {
          ...scoped,
          branch: DEFAULT_BRANCH,
          files: {
            ...renderBootstrap(g, role, args.stack),
            ...(role === RUNNER_ROLE && args.hardwareLane
              ? { [LANE_TEMPLATE_PATH]: { content: renderHardwareLane({ ...args.hardwareLane, stack: args.stack }), executable: false } }
              : {}),
          },
          commitMessage: g.bootstrap.commitMessage,
          updateMessage: g.bootstrap.updateMessage,
          updateVia: g.protection.push === "no_one" ? "merge_request" : "push",
        },
        this.child(),
      );
      // after the bootstrap commit: GitLab protects main on that first push, we then converge it
      const protection = new GitlabProtectedBranch(
        this.childName(`${role}-main`),
        { ...scoped, branch: DEFAULT_BRANCH, push: g.protection.push, merge: g.protection.merge, retainOnDelete: repo.existing },
        this.child({ dependsOn: [bootstrap] }),
      );
      const token = new GitlabProjectAccessToken(
        this.childName(`${role}-token`),
        {
          ...scoped,
          name: tokenName(args.stack, role),
          description: `labfleet ${role} role token (stack ${args.stack})`,
          scopes: repo.tokenScopes,
          accessLevel: repo.accessLevel,
          lifetimeDays: g.tokenLifetimeDays,
          rotateBeforeDays: g.rotateBeforeDays,
          handover: args.deliveredRoles?.includes(role) ? "successor" : "rotate",
        },
        this.child(),
      );
      roles[role] = { project, protection, bootstrap, token };
    }

    const runnerRoleRepo = roles[RUNNER_ROLE];
    const runners: Record<string, CiRunner> = {};
    for (const label of args.slotLabels) {
      runners[label] = new CiRunner(
        this.childName(`runner-${label}`),
        {
          ...conn,
          projectId: runnerRoleRepo.project.projectId,
          projectPath: roleProjectPath(g, RUNNER_ROLE),
          label,
          description: runnerDescription(g.runners.descriptionPrefix, args.stack, label),
          tagList: [label],
          runUntagged: false,
          locked: true,
          paused: false,
          maximumTimeout: g.runners.maximumTimeoutSeconds,
          accessLevel: g.runners.accessLevel,
        },
        this.child(),
      );
    }

    if (args.hardwareLane) {
      for (const [name, key] of Object.entries(LANE_VARIABLES) as [LaneVariable, string][]) {
        this.laneVariables[key] = new GitlabCiVariable(
          this.childName(`${RUNNER_ROLE}-var-${key.toLowerCase().replaceAll("_", "-")}`),
          {
            ...conn,
            projectId: runnerRoleRepo.project.projectId,
            projectPath: roleProjectPath(g, RUNNER_ROLE),
            key,
            value: pulumi.secret(args.hardwareLane.variables[name]),
            masked: true,
            protected: true,
            description: `labfleet hardware lane (stack ${args.stack})`,
          },
          this.child(),
        );
      }
    }

    if (args.hardwareLane) {
      // the template's health jobs run only in scheduled pipelines; after the template is committed
      this.healthSchedule = new GitlabPipelineSchedule(
        this.childName(`${RUNNER_ROLE}-health-schedule`),
        {
          ...conn,
          projectId: runnerRoleRepo.project.projectId,
          projectPath: roleProjectPath(g, RUNNER_ROLE),
          description: `labfleet hardware lane health (stack ${args.stack})`,
          ref: DEFAULT_BRANCH,
          cron: args.hardwareLane.lane.healthCron,
          cronTimezone: args.hardwareLane.lane.healthCronTimezone,
          active: true,
        },
        this.child({ dependsOn: [runnerRoleRepo.bootstrap] }),
      );
    }

    const infra = roles[RESTRICTED_ROLE].token;
    this.boundary = new GitlabRoleBoundary(
      this.childName(`${RESTRICTED_ROLE}-boundary`),
      {
        ...conn,
        productRole: PRODUCT_ROLE,
        productProjectId: roles[PRODUCT_ROLE].project.projectId,
        productPath: roleProjectPath(g, PRODUCT_ROLE),
        subjectRole: RESTRICTED_ROLE,
        subjectUserId: infra.userId,
        subjectUsername: infra.botUsername,
        subjectToken: infra.token,
      },
      this.child(),
    );

    this.namespaces = namespaces;
    this.roles = roles;
    this.runners = runners;
    this.repoUrls = Object.fromEntries(ROLES.map((r) => [r, repoUrl(g, r)])) as Record<Role, string>;
    this.roleEnvs = Object.fromEntries(
      ROLES.map((r) => [
        r,
        pulumi.secret(
          pulumi
            .all([roles[r].token.botUsername, roles[r].token.token])
            // unknown until the token exists (offline plan): no file text yet
            .apply(([user, pat]) => (user && pat ? renderRoleEnv(r, { GITLAB_HOST: host, GITLAB_USER: user, GITLAB_PAT: pat }) : "")),
        ),
      ]),
    ) as Record<Role, pulumi.Output<string>>;
    this.roleEnv = pulumi.secret(pulumi.all(this.roleEnvs) as pulumi.Output<Record<Role, string>>);
    this.ciRunnerTokens = pulumi.secret(
      pulumi.all(Object.entries(runners).map(([l, r]) => pulumi.all([l, r.token]))).apply((e) => Object.fromEntries(e)),
    );
    this.infraBoundaryOk = this.boundary.ok;
    this.registerOutputs({
      repoUrls: this.repoUrls,
      roleEnv: this.roleEnv,
      ciRunnerTokens: this.ciRunnerTokens,
      infraBoundaryOk: this.infraBoundaryOk,
    });
  }

  /**
   * The second phase of the delivered roles' rotation: per role, a `GitlabTokenRetirement` that
   * revokes the token's predecessors after `delivered` (outputs of every delivery of that role's
   * env text, e.g. the files' sha256) — so only once the new token is in place, in the same `up`.
   * A delivered role with no delivery (no runner host) retires at once.
   */
  retireAfterDelivery(delivered: Partial<Record<Role, pulumi.Input<string>[]>>): Record<string, GitlabTokenRetirement> {
    const g = this.gitlab;
    const out: Record<string, GitlabTokenRetirement> = {};
    for (const role of this.deliveredRoles) {
      const { project, token } = this.roles[role];
      out[role] = new GitlabTokenRetirement(
        this.childName(`${role}-token-retire`),
        {
          gitlabUrl: g.url,
          gitlabToken: this.managingToken,
          role,
          projectId: project.projectId,
          projectPath: this.projectPaths[role],
          name: tokenName(this.stack, role),
          keepTokenId: token.tokenId,
          deliveredAs: pulumi.all(delivered[role] ?? []),
        },
        this.child(),
      );
    }
    return out;
  }

  /** The stack outputs of this component. */
  outputs(): Record<string, pulumi.Input<unknown>> {
    return {
      gitlabRepos: this.repoUrls,
      gitlabRoleEnv: this.roleEnv,
      gitlabRunnerTokens: this.ciRunnerTokens,
      gitlabInfraBoundaryOk: this.infraBoundaryOk,
    };
  }
}
