import { LxdBody, resolveLxd } from "../../../components/lxd/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:lxd` — the LXD area's settings (components/lxd/settings.ts), switchable. */
export const Lxd = registerSection("lxd", LxdBody, resolveLxd);
