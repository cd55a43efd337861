import { FleetBody } from "../../../components/fleet/settings.ts";
import { registerSection } from "../section.ts";

/**
 * `labfleet:fleet` — the agent fleet's settings (components/fleet/settings.ts), switchable. The
 * agents' SSH key is the top-level secret `labfleet:fleetSshKey`; the hosts are the `agent` peers
 * of `labfleet:wireguard` (filtered by `tags`).
 */
export const Fleet = registerSection("fleet", FleetBody);
