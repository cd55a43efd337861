import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type PortOpener, RESET_PULSE_MS, type SerialLinesPort, monitor } from "../../../hardware/serial.ts";

/**
 * DTR/RTS handling of `hut monitor` against a recording port (a pty has no modem lines, so the
 * line sequence is checked here; test/integration/hut/serial.test.ts reads real ptys).
 */

const dir = mkdtempSync(join(tmpdir(), "hut-lines-"));
const PORT = join(dir, "usb-board");
writeFileSync(PORT, "");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BANNER = "rst:0x1 (POWERON_RESET)\r\nlab-node v1.4.2 ready\r\n";

/** A board behind an ESP auto-reset circuit: it prints its boot output when EN (RTS) is released. */
function board(opts: { modemLines?: boolean; bootsOnOpen?: boolean } = {}) {
  const events: string[] = [];
  const pending: Buffer[] = [];
  let waiter: (() => void) | undefined;
  let closed = false;
  let rts = true; // the kernel raised both lines on open
  const emit = (text: string) => {
    pending.push(Buffer.from(text));
    waiter?.();
  };
  const port: SerialLinesPort = {
    async read(buffer, offset) {
      events.push("read");
      while (pending.length === 0) {
        if (closed) throw new Error("Canceled");
        await new Promise<void>((r) => {
          waiter = r;
        });
      }
      const b = pending.shift() as Buffer;
      b.copy(buffer, offset);
      return { bytesRead: b.length };
    },
    async set({ dtr, rts: r }) {
      if (opts.modemLines === false) throw new Error("Inappropriate ioctl for device, cannot set");
      events.push(`set dtr=${dtr} rts=${r}`);
      if (rts && !r && !dtr) emit(BANNER); // EN released with GPIO0 high: a normal boot
      rts = r;
    },
    async flush() {
      events.push("flush");
    },
    async close() {
      closed = true;
      events.push("close");
      waiter?.();
    },
  };
  const opener: PortOpener = async (path, baud) => {
    events.push(`open ${path} ${baud}`);
    if (opts.bootsOnOpen) setTimeout(() => emit(BANNER), 20);
    return port;
  };
  return { events, opener };
}

describe("hut monitor: DTR/RTS", () => {
  it("opening deasserts DTR and RTS together before the first read, and never pulses them", async () => {
    const b = board({ bootsOnOpen: true });
    const r = await monitor({ port: PORT, baud: 115200, pattern: /lab-node v[0-9.]+ ready/, timeoutMs: 2000, opener: b.opener });
    expect(r).toMatchObject({ status: "matched", match: "lab-node v1.4.2 ready", line: "lab-node v1.4.2 ready", lines: "deasserted", reset: "no" });
    expect(b.events.filter((e) => e.startsWith("set"))).toEqual(["set dtr=false rts=false"]);
    expect(b.events.slice(0, 4)).toEqual([`open ${PORT} 115200`, "set dtr=false rts=false", "flush", "read"]);
  });

  it("--reset pulses EN through RTS with DTR deasserted, after reading started: the capture starts at the first byte", async () => {
    const b = board();
    const t0 = Date.now();
    const r = await monitor({ port: PORT, baud: 115200, pattern: /POWERON_RESET/, timeoutMs: 2000, reset: true, opener: b.opener });
    expect(r).toMatchObject({ status: "matched", line: "rst:0x1 (POWERON_RESET)", reset: "done" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(RESET_PULSE_MS - 5);
    const sets = b.events.filter((e) => e.startsWith("set"));
    expect(sets).toEqual(["set dtr=false rts=false", "set dtr=false rts=true", "set dtr=false rts=false"]);
    expect(b.events.indexOf("read")).toBeLessThan(b.events.indexOf("set dtr=false rts=true"));
  });

  it("a port without modem lines (a pty) is read as it is and reported", async () => {
    const b = board({ modemLines: false, bootsOnOpen: true });
    const r = await monitor({ port: PORT, baud: 9600, pattern: /ready/, timeoutMs: 2000, reset: true, opener: b.opener });
    expect(r).toMatchObject({ status: "matched", lines: "unsupported", reset: "unsupported" });
  });

  it("times out (bounded) and closes the port", async () => {
    const b = board();
    const r = await monitor({ port: PORT, baud: 115200, pattern: /never/, timeoutMs: 300, opener: b.opener });
    expect(r).toMatchObject({ status: "timeout", lines: "deasserted" });
    expect(b.events.at(-1) === "close" || b.events.includes("close")).toBe(true);
  });
});
