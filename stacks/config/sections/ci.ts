import { CiBody, resolveCi } from "../../../components/ci/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:ci` — the CI identity's settings (components/ci/settings.ts), switchable. */
export const Ci = registerSection("ci", CiBody, resolveCi);
