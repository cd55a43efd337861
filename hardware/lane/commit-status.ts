import { Octokit } from "@octokit/rest";
import { z } from "zod";
import { errorMessage } from "../errors.ts";

/**
 * Commit statuses on the product repository (GitHub REST `POST /repos/{owner}/{repo}/statuses/{sha}`)
 * through @octokit/rest. The token comes from the masked CI variable `LABFLEET_GITHUB_STATUS_TOKEN`
 * (docs/design/hardware-lane.md, "Commit statuses"); it is never part of a message.
 */

export const STATUS_TOKEN_ENV = "LABFLEET_GITHUB_STATUS_TOKEN";
export const DEFAULT_GITHUB_API = "https://api.github.com";
/** GitHub keeps at most this much of a status description. */
export const DESCRIPTION_MAX = 140;

export const CommitState = z.enum(["pending", "success", "failure", "error"]);
export type CommitState = z.infer<typeof CommitState>;

/** The part of GitHub's answer the lane relies on (201 Created). */
const CreatedStatus = z.looseObject({ id: z.number(), state: CommitState, context: z.string(), target_url: z.string().nullable() });

export interface StatusTarget {
  /** `owner/name`. */
  repository: string;
  sha: string;
  context: string;
  /** The CI job's page (`$CI_JOB_URL`). */
  targetUrl?: string;
}

export class CommitStatusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommitStatusError";
  }
}

export interface CommitStatusPublisher {
  publish(state: CommitState, description: string): Promise<void>;
}

export function shortDescription(text: string): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length <= DESCRIPTION_MAX ? one : `${one.slice(0, DESCRIPTION_MAX - 1)}…`;
}

export function githubStatusPublisher(target: StatusTarget, o: { token: string; apiUrl?: string }): CommitStatusPublisher {
  const octokit = new Octokit({ auth: o.token, baseUrl: (o.apiUrl ?? DEFAULT_GITHUB_API).replace(/\/+$/, ""), userAgent: "labfleet-hut-lane" });
  const [owner, repo] = target.repository.split("/") as [string, string];
  return {
    async publish(state, description) {
      const where = `commit status ${state} (${target.context}) on ${target.repository}@${target.sha.slice(0, 12)}`;
      try {
        const res = await octokit.rest.repos.createCommitStatus({
          owner,
          repo,
          sha: target.sha,
          state,
          context: target.context,
          description: shortDescription(description),
          ...(target.targetUrl ? { target_url: target.targetUrl } : {}),
        });
        const created = CreatedStatus.safeParse(res.data);
        if (!created.success || created.data.state !== state) throw new CommitStatusError(`${where}: unexpected answer from GitHub`);
      } catch (err) {
        if (err instanceof CommitStatusError) throw err;
        const status = (err as { status?: number }).status;
        const why =
          status === 401
            ? `401 bad credentials: check ${STATUS_TOKEN_ENV}`
            : status === 404
              ? `404: the repository does not exist or ${STATUS_TOKEN_ENV} cannot see it`
              : status === 422
                ? `422: GitHub refused it (unknown commit, or too many statuses for this context): ${firstLine(err)}`
                : firstLine(err);
        throw new CommitStatusError(`${where}: ${why}`);
      }
    },
  };
}

function firstLine(err: unknown): string {
  return errorMessage(err).split("\n")[0] ?? "";
}
