import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FleetPackage } from "./settings.ts";

/**
 * The agent package as bytes, verified against its sha256 before any host is touched: a file
 * on this host, or an http(s) URL downloaded here (agents need no route to the internet).
 */

export class PackageError extends Error {
  constructor(
    message: string,
    /** The config key or flag at fault: `source` or `sha256`. */
    readonly key: "source" | "sha256",
  ) {
    super(message);
    this.name = "PackageError";
  }
}

export const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

const DOWNLOAD_TIMEOUT_MS = 120_000;

export async function loadPackage(pkg: Pick<FleetPackage, "source" | "sha256">): Promise<Buffer> {
  let data: Buffer;
  if (pkg.source.startsWith("/")) {
    try {
      data = await readFile(pkg.source);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new PackageError(`cannot read ${pkg.source}: ${code === "ENOENT" ? "no such file" : (code ?? (err as Error).message)}`, "source");
    }
  } else {
    let res: Response;
    try {
      res = await fetch(pkg.source, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    } catch (err) {
      throw new PackageError(`cannot download ${pkg.source}: ${(err as Error).message}`, "source");
    }
    if (!res.ok) throw new PackageError(`cannot download ${pkg.source}: HTTP ${res.status}`, "source");
    data = Buffer.from(await res.arrayBuffer());
  }
  const actual = sha256Hex(data);
  if (actual !== pkg.sha256) throw new PackageError(`${pkg.source} has sha256 ${actual}, not the expected ${pkg.sha256}`, "sha256");
  return data;
}
