import WebSocket from "ws";
import { z } from "zod";

/**
 * Home Assistant's websocket API (`/api/websocket`, the `ws` package) for the test harness:
 * authenticate with an access token, send commands (`request`), receive events of a subscription
 * (`subscribe`). Every wait is bounded; the token is never put in an error message.
 */

const Message = z.looseObject({
  type: z.string(),
  id: z.number().optional(),
  success: z.boolean().optional(),
  result: z.unknown().optional(),
  event: z.unknown().optional(),
  error: z.looseObject({ message: z.string() }).optional(),
});
type Message = z.infer<typeof Message>;

export class HaSocket {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Message) => void>();
  private readonly listeners = new Map<number, (event: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m = Message.safeParse(JSON.parse(String(data)));
      if (!m.success || m.data.id === undefined) return;
      if (m.data.type === "event") this.listeners.get(m.data.id)?.(m.data.event);
      else this.waiting.get(m.data.id)?.(m.data);
    });
  }

  static open(baseUrl: string, accessToken: string, timeoutMs = 10_000): Promise<HaSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/websocket`);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`home assistant websocket: ${why}`));
      };
      const timer = setTimeout(() => fail(`not authenticated within ${timeoutMs / 1000}s`), timeoutMs);
      ws.on("error", (err) => fail(err.message));
      const onAuth = (data: WebSocket.RawData) => {
        const m = Message.safeParse(JSON.parse(String(data)));
        if (!m.success) return fail("unexpected message");
        if (m.data.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: accessToken }));
        else if (m.data.type === "auth_invalid") fail("token rejected");
        else if (m.data.type === "auth_ok") {
          clearTimeout(timer);
          ws.off("message", onAuth);
          resolve(new HaSocket(ws));
        }
      };
      ws.on("message", onAuth);
    });
  }

  /** Sends a command and resolves with its `result` (rejects on `success: false` or timeout). */
  request(command: Record<string, unknown>, timeoutMs = 10_000): Promise<{ id: number; result: unknown }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`home assistant websocket: no answer to ${String(command.type)} within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (m.success) resolve({ id, result: m.result });
        else reject(new Error(`home assistant websocket: ${String(command.type)} failed: ${m.error?.message ?? "no reason given"}`));
      });
      this.ws.send(JSON.stringify({ ...command, id }));
    });
  }

  /** `subscribe_events` for one event type; `onEvent` gets each event's payload. */
  async subscribe(eventType: string, onEvent: (event: unknown) => void): Promise<void> {
    const { id } = await this.request({ type: "subscribe_events", event_type: eventType });
    this.listeners.set(id, onEvent);
  }

  close() {
    this.ws.terminate();
  }
}
