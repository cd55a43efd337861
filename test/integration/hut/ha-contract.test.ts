import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HaDouble } from "../../../hardware/sim/home-assistant.ts";
import { HaError, HomeAssistantClient } from "../../../hardware/relay.ts";
import { until } from "./helpers/cli.ts";
import { startHomeAssistant } from "./helpers/home-assistant.ts";

/**
 * The contract between hardware/relay.ts and Home Assistant's REST API, asserted in one place
 * against both the real Home Assistant core (tools/setup/prereqs-homeassistant.sh) and the
 * project's double (hardware/sim/home-assistant.ts), so the double cannot drift from the real
 * thing. Differences found so far: docs/design/hut.md ("The double against a real Home Assistant").
 */

const ENTITY = "switch.hut_01_power";

interface Target {
  url: string;
  token: string;
  stop(): Promise<void>;
}

const targets: [string, () => Promise<Target>][] = [
  ["a real Home Assistant", () => startHomeAssistant({ [ENTITY]: "on" })],
  [
    "the Home Assistant double",
    async () => {
      const d = await HaDouble.start({ token: "llat-contract-token-3e9a", entities: { [ENTITY]: "on" } });
      return { url: d.url, token: "llat-contract-token-3e9a", stop: () => d.close() };
    },
  ],
];

describe.each(targets)("Home Assistant REST contract: %s", (_name, start) => {
  let t: Target;
  beforeAll(async () => {
    t = await start();
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
  });

  const call = (method: "GET" | "POST", path: string, body?: unknown, token: string | null = t.token) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  const client = (token = t.token) => new HomeAssistantClient({ url: t.url, token, requestTimeoutMs: 5000 });
  const stateObject = (state: string) => ({
    entity_id: ENTITY,
    state,
    attributes: expect.objectContaining({ friendly_name: expect.any(String) }),
    last_changed: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
    last_updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
    context: expect.objectContaining({ id: expect.any(String) }),
  });
  const stateOf = async () => (await client().getState(ENTITY)).state;
  /** The entity reports `want` within 5 s (the double may lag by its transition time). */
  const reaches = async (want: string) => {
    let s = "";
    await until(() => s === want, 5000, `${ENTITY} ${want}`, async () => {
      s = await stateOf();
    });
  };

  it("GET /api/states/<entity>: 200 with the state object", async () => {
    const res = await call("GET", `/api/states/${ENTITY}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(stateObject("on"));
    expect(await client().getState(ENTITY)).toMatchObject({ entity_id: ENTITY, state: "on" });
  });

  it("switch.turn_off / turn_on: 200 with the states that changed; the entity follows", async () => {
    const off = await call("POST", "/api/services/switch/turn_off", { entity_id: ENTITY });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual(expect.arrayContaining([stateObject("off")]));
    await reaches("off");
    // nothing changes on a second turn_off: an empty list
    const again = await call("POST", "/api/services/switch/turn_off", { entity_id: ENTITY });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual([]);
    await client().callService("switch", "turn_on", ENTITY);
    await reaches("on");
  });

  it("an unknown entity: GET 404 {message}, a service call 200 [] (ignored silently)", async () => {
    const res = await call("GET", "/api/states/switch.not_in_ha");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "Entity not found." });
    const svc = await call("POST", "/api/services/switch/turn_off", { entity_id: "switch.not_in_ha" });
    expect(svc.status).toBe(200);
    expect(await svc.json()).toEqual([]);
    const err = await client().getState("switch.not_in_ha").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HaError);
    expect(err).toMatchObject({ kind: "ha_error", retryable: false, message: expect.stringContaining("switch.not_in_ha does not exist") });
  });

  it("a bad or missing token: 401 '401: Unauthorized' (text/plain) for reads and service calls", async () => {
    for (const res of [
      await call("GET", `/api/states/${ENTITY}`, undefined, "wrong-token"),
      await call("GET", `/api/states/${ENTITY}`, undefined, null),
      await call("POST", "/api/services/switch/turn_off", { entity_id: ENTITY }, "wrong-token"),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text()).toBe("401: Unauthorized");
    }
    expect(await stateOf()).toBe("on");
    const err = await client("wrong-token").getState(ENTITY).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "ha_error", retryable: false, message: `GET /api/states/${ENTITY}: 401 Unauthorized (token rejected: check HA_TOKEN)` });
  });

  it("an unknown service: 400 '400: Bad Request', an unknown path: 404 '404: Not Found' (text/plain)", async () => {
    for (const [res, text] of [
      [await call("POST", "/api/services/switch/explode", { entity_id: ENTITY }), "400: Bad Request"],
      [await call("GET", "/api/no/such/path"), "404: Not Found"],
    ] as const) {
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text()).toBe(text);
    }
  });
});
