import { GithubBody, resolveGithub } from "../../../components/github/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:github` — the repository's governance (components/github/settings.ts), switchable. The token is the top-level secret `labfleet:githubToken`. */
export const Github = registerSection("github", GithubBody, resolveGithub);
