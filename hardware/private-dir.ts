import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { UsageError } from "./errors.ts";

/**
 * Directories hut keeps its state in (locks, lock holders, cancel flags). A missing one is
 * created with `mode` (umask does not widen it: the mode is set again after creation); an
 * existing one must be a real directory that is not world-writable, so no other user can plant
 * or remove a lock or a cancel flag (docs/design/hut.md, "Locks").
 */
export function ensurePrivateDir(path: string, mode: number, setting: string): string {
  const before = lstatSync(path, { throwIfNoEntry: false });
  if (!before) {
    mkdirSync(path, { recursive: true, mode });
    chmodSync(path, mode);
    return path;
  }
  if (!before.isDirectory()) throw new UsageError(`${setting}: ${path} is not a directory`);
  if ((before.mode & 0o002) !== 0) {
    throw new UsageError(`${setting}: ${path} is world-writable (mode ${(before.mode & 0o7777).toString(8)}); use a directory only hut's user can write`);
  }
  return path;
}
