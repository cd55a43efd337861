import { randomBytes } from "node:crypto";
import { z } from "zod";
import { HaSocket } from "./ha-socket.ts";

/**
 * Onboards a fresh Home Assistant through its HTTP API and returns a long-lived access token:
 * the owner user (`POST /api/onboarding/users` → auth code), the code exchanged for an access
 * token (`POST /auth/token`), then `auth/long_lived_access_token` over the websocket API (the only
 * way HA issues one). Every step is bounded by `timeoutMs`. The tokens never leave this module
 * except as the return value.
 */

const AuthCode = z.object({ auth_code: z.string().min(1) });
const TokenGrant = z.object({ access_token: z.string().min(1) });

async function post(url: string, body: string, contentType: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`onboarding: POST ${new URL(url).pathname}: ${res.status} ${res.statusText}`);
  return res.json();
}

export async function onboard(baseUrl: string, timeoutMs = 30_000): Promise<string> {
  const clientId = `${baseUrl}/`;
  const { auth_code } = AuthCode.parse(
    await post(
      `${baseUrl}/api/onboarding/users`,
      JSON.stringify({ client_id: clientId, name: "labfleet tests", username: "labfleet", password: randomBytes(18).toString("base64url"), language: "en" }),
      "application/json",
      timeoutMs,
    ),
  );
  const form = new URLSearchParams({ grant_type: "authorization_code", code: auth_code, client_id: clientId });
  const { access_token } = TokenGrant.parse(await post(`${baseUrl}/auth/token`, form.toString(), "application/x-www-form-urlencoded", timeoutMs));
  return longLivedToken(baseUrl, access_token, timeoutMs);
}

async function longLivedToken(baseUrl: string, accessToken: string, timeoutMs: number): Promise<string> {
  const socket = await HaSocket.open(baseUrl, accessToken, timeoutMs);
  try {
    const { result } = await socket.request({ type: "auth/long_lived_access_token", client_name: "labfleet tests", lifespan: 1 }, timeoutMs);
    return z.string().min(1).parse(result);
  } finally {
    socket.close();
  }
}
