import { HutBody, resolveHut } from "../../../components/hut/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:hut` — the HUT area's settings (components/hut/settings.ts), switchable. */
export const Hut = registerSection("hut", HutBody, resolveHut);
