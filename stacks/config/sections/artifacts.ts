import { ArtifactsBody, resolveArtifacts } from "../../../components/artifacts/settings.ts";
import { registerSection } from "../section.ts";

/** `labfleet:artifacts` — the firmware artifact store's settings (components/artifacts/settings.ts), switchable. */
export const Artifacts = registerSection("artifacts", ArtifactsBody, resolveArtifacts);
