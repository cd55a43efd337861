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
