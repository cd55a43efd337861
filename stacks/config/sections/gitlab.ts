import { GitlabBody, refineGitlab } from "../../../components/gitlab/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:gitlab` — the GitLab area's settings (components/gitlab/settings.ts), switchable. */
export const Gitlab = registerSection("gitlab", GitlabBody, refineGitlab);
