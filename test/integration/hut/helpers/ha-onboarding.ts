import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { z } from "zod";

/**
 * Onboards a fresh Home Assistant through its HTTP API and returns a long-lived access token:
 * the owner user (`POST /api/onboarding/users` → auth code), the code exchanged for an access
 * token (`POST /auth/token`), then `auth/long_lived_access_token` over the websocket API (the only
 * way HA issues one). Every step is bounded by `timeoutMs`. The tokens never leave this module
 * except as the return value.
 */

const AuthCode = z.object({ auth_code: z.string().min(1) });
const TokenGrant = z.object({ access_token: z.string().min(1) });
const WsMessage = z.looseObject({
  type: z.string(),
  id: z.number().optional(),
  success: z.boolean().optional(),
  result: z.unknown().optional(),
  error: z.looseObject({ message: z.string() }).optional(),
});

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

function longLivedToken(baseUrl: string, accessToken: string, timeoutMs: number): Promise<string> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/websocket`);
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`onboarding: no long-lived token within ${timeoutMs / 1000}s`)), timeoutMs);
    function fail(err: Error) {
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    }
    ws.on("error", (err) => fail(new Error(`onboarding: websocket: ${err.message}`)));
    ws.on("message", (data) => {
      const msg = WsMessage.safeParse(JSON.parse(String(data)));
      if (!msg.success) return fail(new Error("onboarding: unexpected websocket message"));
      const m = msg.data;
      if (m.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: accessToken }));
      else if (m.type === "auth_ok") ws.send(JSON.stringify({ id: 1, type: "auth/long_lived_access_token", client_name: "labfleet tests", lifespan: 1 }));
      else if (m.type === "auth_invalid") fail(new Error("onboarding: websocket auth rejected"));
      else if (m.type === "result" && m.id === 1) {
        const token = z.string().min(1).safeParse(m.result);
        if (!m.success || !token.success) return fail(new Error(`onboarding: long-lived token refused: ${m.error?.message ?? "no token"}`));
        clearTimeout(timer);
        ws.close();
        resolve(token.data);
      }
    });
  });
}
