/** Errors the GitLab double answers with, in GitLab's bodies (`{"message": …}` / `{"error": …}`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(JSON.stringify(body));
  }
}

export const msg = (status: number, message: unknown) => new HttpError(status, { message });
export const err = (status: number, error: string) => new HttpError(status, { error });
export const notFound = (what: string) => msg(404, `404 ${what} Not Found`);

export type Routed = { status: number; body: unknown; headers?: Record<string, string> };
export type Page = <T>(items: T[]) => Routed;

/** A boolean parameter as Grape reads it (JSON boolean or "true"/"1"), `fallback` when absent. */
export function flag(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v === "boolean") return v;
  return v === "true" || v === "1";
}
