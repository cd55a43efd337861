import { Gitlab } from "@gitbeaker/rest";
import { z } from "zod";
import { errorMessage } from "../errors.ts";

/**
 * Pausing and resuming a slot's GitLab CI runner (`PUT /runners/:id` with `paused`), the
 * quarantine's only write (docs/design/hardware-lane.md, "Quarantine"). The token is the masked
 * CI variable `LABFLEET_RUNNER_API_TOKEN`: a runner-repository access token with `manage_runner`
 * on a Maintainer bot, the least GitLab lets pause a project runner.
 */

export const RUNNER_TOKEN_ENV = "LABFLEET_RUNNER_API_TOKEN";

const RunnerState = z.looseObject({ id: z.number(), paused: z.boolean() });

export interface RunnerControl {
  setPaused(paused: boolean): Promise<void>;
}

export class RunnerApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunnerApiError";
  }
}

export function gitlabRunnerControl(o: { gitlabUrl: string; token: string; runnerId: number }): RunnerControl {
  const api = new Gitlab({ host: o.gitlabUrl.replace(/\/+$/, ""), token: o.token });
  return {
    async setPaused(paused) {
      const what = `${paused ? "pause" : "resume"} GitLab runner ${o.runnerId}`;
      let answer: unknown;
      try {
        answer = await api.Runners.edit(o.runnerId, { paused });
      } catch (err) {
        const status = (err as { cause?: { response?: { status?: number } } }).cause?.response?.status;
        const hint = status === 401 ? ` (check ${RUNNER_TOKEN_ENV})` : status === 403 ? ` (${RUNNER_TOKEN_ENV} needs manage_runner as a Maintainer)` : "";
        throw new RunnerApiError(`${what}: ${status ?? ""} ${errorMessage(err).split("\n")[0]}${hint}`.replace(/\s+/g, " "));
      }
      const r = RunnerState.safeParse(answer);
      if (!r.success || r.data.paused !== paused) throw new RunnerApiError(`${what}: GitLab did not confirm paused=${paused}`);
    },
  };
}
