import { WireGuardBody } from "../../../components/wireguard/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:wireguard` — the WireGuard area's settings (components/wireguard/settings.ts), switchable. */
export const WireGuard = registerSection("wireguard", WireGuardBody);
