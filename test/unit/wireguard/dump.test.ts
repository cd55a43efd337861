import { describe, expect, it } from "vitest";
import { parseDump } from "../../../components/wireguard/dump.ts";

const PRIV = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
const HUB = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
const P1 = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const P2 = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
const PSK = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=";

// `wg show wg0 dump`: tab-separated, interface line then one line per peer.
const DUMP = [
  [PRIV, HUB, "51820", "off"],
  [P1, "(none)", "192.0.2.10:51820", "10.77.0.5/32,10.20.0.0/16", "1700000000", "1234", "5678", "25"],
  [P2, PSK, "(none)", "(none)", "0", "0", "0", "off"],
]
  .map((l) => l.join("\t"))
  .join("\n");

describe("wg show <if> dump parser", () => {
  it("parses the interface and every peer column, (none) and off included", () => {
    const d = parseDump(`${DUMP}\n`);
    expect(d.interface).toEqual({ publicKey: HUB, listenPort: 51820, fwmark: null });
    expect(d.peers).toEqual([
      {
        publicKey: P1,
        presharedKey: null,
        endpoint: "192.0.2.10:51820",
        allowedIps: ["10.77.0.5/32", "10.20.0.0/16"],
        latestHandshake: 1700000000,
        rxBytes: 1234,
        txBytes: 5678,
        persistentKeepalive: 25,
      },
      { publicKey: P2, presharedKey: PSK, endpoint: null, allowedIps: [], latestHandshake: 0, rxBytes: 0, txBytes: 0, persistentKeepalive: 0 },
    ]);
  });

  it("never returns the interface private key", () => {
    expect(JSON.stringify(parseDump(DUMP))).not.toContain(PRIV);
  });

  it("reads a hex fwmark and an interface without keys", () => {
    expect(parseDump("(none)\t(none)\t0\t0xca6c\n").interface).toEqual({ publicKey: null, listenPort: 0, fwmark: 0xca6c });
  });

  it("rejects malformed output naming the line", () => {
    expect(() => parseDump("")).toThrow("wg show dump, line 1: empty output");
    expect(() => parseDump(`${PRIV}\t${HUB}\t51820`)).toThrow("line 1: interface line has 3 fields, expected 4");
    expect(() => parseDump(`${PRIV}\t${HUB}\t51820\toff\n${P1}\t(none)\t(none)`)).toThrow("line 2: peer line has 3 fields, expected 8");
    expect(() => parseDump(`${PRIV}\t${HUB}\t51820\toff\nnotakey\t(none)\t(none)\t(none)\t0\t0\t0\toff`)).toThrow(
      "line 2: public-key is not a WireGuard key",
    );
    expect(() => parseDump(`${PRIV}\t${HUB}\tx\toff`)).toThrow("line 1: listen-port is not a number");
  });
});
