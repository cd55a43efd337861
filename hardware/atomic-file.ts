import { renameSync, writeFileSync } from "node:fs";

/** Writes `text` to `path` through a temporary file and a rename: readers never see half a file. */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}
