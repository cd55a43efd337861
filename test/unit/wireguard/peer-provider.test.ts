import { unknownValue } from "@pulumi/pulumi/runtime/rpc.js";
/**
 * WireGuardPeer provider logic that needs no hub: check (validation, preview unknowns), diff
 * (replace vs update), and the client config (wg-quick format, accepted by `wg-quick strip`) + QR.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { qrCodeSvg, renderClientConfig } from "../../../components/wireguard/client-config.ts";
import * as impl from "../../../components/wireguard/peer-impl.ts";
import type { PeerOutputs } from "../../../components/wireguard/peer-schema.ts";

const HUB = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
const PUB = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const PRIV = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
const UNKNOWN = unknownValue;

const news = (extra: Record<string, unknown> = {}) => ({
  name: "agent-a",
  interface: "wg0",
  transport: { kind: "local" },
  hubPublicKey: HUB,
  hubEndpoint: "hub.example.org:51820",
  cidr: "10.77.0.0/24",
  address: "10.77.0.10",
  ...extra,
});

async function olds(extra: Partial<PeerOutputs> = {}): Promise<PeerOutputs> {
  const inputs = (await impl.check({}, news())).inputs as PeerOutputs;
  return {
    ...inputs,
    publicKey: PUB,
    keySource: "generated",
    privateKey: PRIV,
    presharedKeyValue: "",
    clientConfig: "",
    qrCodeSvg: "",
    createdAt: new Date().toISOString(),
    hubAllowedIps: ["10.77.0.10/32"],
    present: true,
    drift: [],
    ...extra,
  };
}

describe("check", () => {
  it("fills defaults and accepts a valid peer", async () => {
    const r = await impl.check({}, news());
    expect(r.failures).toBeUndefined();
    expect(r.inputs).toMatchObject({ persistentKeepalive: 25, presharedKey: false, allowedIps: [], dns: [], reserved: {} });
  });

  it("lets preview unknowns through and still validates the rest", async () => {
    const r = await impl.check({}, news({ hubPublicKey: UNKNOWN }));
    expect(r.failures).toBeUndefined();
    expect(r.inputs.hubPublicKey).toBe(UNKNOWN);
    const bad = await impl.check({}, news({ hubPublicKey: UNKNOWN, address: "10.1.1.1" }));
    expect(bad.failures).toEqual([{ property: "address", reason: 'peer "agent-a": address: 10.1.1.1 is outside the hub CIDR 10.77.0.0/24' }]);
  });

  it("names every bad input", async () => {
    const r = await impl.check({}, news({ persistentKeepalive: -1, dns: ["x"], transport: { kind: "ssh", host: "h" } }));
    expect(r.failures?.map((f) => f.property).sort()).toEqual(["dns.0", "persistentKeepalive", "transport.hostKey"]);
    expect(r.failures?.every((f) => f.reason.startsWith('peer "agent-a": '))).toBe(true);
    const own = await impl.check({}, news({ rotation: "r", publicKey: PUB }));
    expect(own.failures).toEqual([{ property: "rotation", reason: 'peer "agent-a": rotation: rotation needs a generated key; this peer brings its own publicKey' }]);
  });
});

describe("diff: replace for a provided key or another hub, update in place otherwise (a rotation too)", () => {
  it("no change → no diff", async () => {
    expect(await impl.diff("id", await olds(), (await impl.check({}, news())).inputs)).toMatchObject({ changes: false, replaces: [] });
  });

  it.each([
    ["interface", { interface: "wg1" }],
    ["transport", { transport: { kind: "local", netns: "hub" } }],
    ["publicKey", { publicKey: HUB }],
  ])("%s → replace", async (key, extra) => {
    const d = await impl.diff("id", await olds(), (await impl.check({}, news(extra))).inputs);
    expect(d).toMatchObject({ changes: true, replaces: [key], deleteBeforeReplace: false });
  });

  it.each([
    ["rotation", { rotation: "r2" }],
    ["address", { address: "10.77.0.11" }],
    ["persistentKeepalive", { persistentKeepalive: 10 }],
    ["allowedIps", { allowedIps: ["10.20.0.0/16"] }],
    ["presharedKey", { presharedKey: true }],
    ["dns", { dns: ["10.77.0.1"] }],
    ["hubPublicKey", { hubPublicKey: PUB }],
    ["hubEndpoint", { hubEndpoint: "other:51820" }],
  ])("%s → update in place", async (_key, extra) => {
    const d = await impl.diff("id", await olds(), (await impl.check({}, news(extra))).inputs);
    expect(d).toMatchObject({ changes: true, replaces: [] });
  });

  it("drift found by refresh (missing peer, other allowed-ips) → update in place", async () => {
    const inputs = (await impl.check({}, news())).inputs;
    expect(await impl.diff("id", await olds({ present: false, hubAllowedIps: [] }), inputs)).toMatchObject({ changes: true, replaces: [] });
    expect(await impl.diff("id", await olds({ hubAllowedIps: ["10.77.0.99/32"] }), inputs)).toMatchObject({ changes: true, replaces: [] });
  });

  it("a rotation is an in-place update whose publicKey may change (not stable)", async () => {
    const d = await impl.diff("id", await olds(), (await impl.check({}, news({ rotation: "r2" }))).inputs);
    expect(d).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false, stables: [] });
    const plain = await impl.diff("id", await olds(), (await impl.check({}, news({ dns: ["10.77.0.1"] }))).inputs);
    expect(plain.stables).toEqual(["publicKey", "createdAt"]);
  });

  it("rotateAfterDays: check stamps keyRotation (what preview shows) once the key is older than that; diff is then an update, never a replace", async () => {
    const DAY = 86_400_000;
    const created = await impl.check({}, news({ rotateAfterDays: 90 }));
    expect(Date.now() - Date.parse(created.inputs.keyCreatedAt as string)).toBeLessThan(60_000);
    expect(created.inputs.keyRotation).toBeUndefined();
    const now = Date.now();
    const at = (days: number) => ({ ...created.inputs, keyCreatedAt: new Date(now - days * DAY).toISOString() });
    const young = await impl.check(at(89), news({ rotateAfterDays: 90 }));
    expect(young.inputs.keyCreatedAt).toBe(at(89).keyCreatedAt);
    expect(young.inputs.keyRotation).toBeUndefined();
    expect((await impl.diff("id", await olds(at(89) as Partial<PeerOutputs>), young.inputs)).changes).toBe(false);

    const due = await impl.check(at(91), news({ rotateAfterDays: 90 }));
    expect(due.inputs.keyRotation).toMatch(/^rotateAfterDays: the key of \d{4}-\d{2}-\d{2} was 90\+ days old on \d{4}-\d{2}-\d{2}$/);
    expect(Date.now() - Date.parse(due.inputs.keyCreatedAt as string)).toBeLessThan(60_000);
    expect(await impl.diff("id", await olds(at(91) as Partial<PeerOutputs>), due.inputs)).toMatchObject({ changes: true, replaces: [], stables: [] });
    // After that rotation, an unrelated up carries the stamp and the age: no change, no rotation.
    const next = await impl.check(due.inputs, news({ rotateAfterDays: 90 }));
    expect(next.inputs).toMatchObject({ keyRotation: due.inputs.keyRotation, keyCreatedAt: due.inputs.keyCreatedAt });
    const rotated = await olds({ ...(due.inputs as Partial<PeerOutputs>) });
    expect((await impl.diff("id", rotated, next.inputs)).changes).toBe(false);
    // An unrelated change on an old key with rotateAfterDays absent: in place, no rotation stamp.
    const other = await impl.check(at(400), news({ dns: ["10.77.0.1"] }));
    expect(other.inputs.keyRotation).toBeUndefined();
    expect(await impl.diff("id", await olds(at(400) as Partial<PeerOutputs>), other.inputs)).toMatchObject({ changes: true, replaces: [], stables: ["publicKey", "createdAt"] });
  });

  it("the end of an operator's grace (time over, or the new key handshaken) is an update", async () => {
    const inputs = (await impl.check({}, news())).inputs;
    const grace = { previousPublicKey: HUB, previousAddress: "10.77.0.10", activeAddress: "10.77.0.20", hubAllowedIps: ["10.77.0.20/32"] };
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const past = new Date(Date.now() - 1000).toISOString();
    expect((await impl.diff("id", await olds({ ...grace, graceUntil: future, latestHandshake: 0 }), inputs)).changes).toBe(false);
    expect((await impl.diff("id", await olds({ ...grace, graceUntil: future, latestHandshake: 1_700_000_000 }), inputs)).changes).toBe(true);
    expect((await impl.diff("id", await olds({ ...grace, graceUntil: past, latestHandshake: 0 }), inputs)).changes).toBe(true);
  });
});

describe("client config", () => {
  const config = renderClientConfig({
    name: "agent-a",
    privateKey: PRIV,
    publicKey: PUB,
    address: "10.77.0.10",
    dns: ["10.77.0.1", "1.1.1.1"],
    hubPublicKey: HUB,
    hubEndpoint: "hub.example.org:51820",
    presharedKey: HUB,
    allowedIps: ["10.77.0.0/24"],
    persistentKeepalive: 25,
  });

  it("is wg-quick format", () => {
    expect(config).toBe(
      [
        `# labfleet WireGuard peer agent-a (public key ${PUB})`,
        "[Interface]",
        `PrivateKey = ${PRIV}`,
        "Address = 10.77.0.10/32",
        "DNS = 10.77.0.1, 1.1.1.1",
        "",
        "[Peer]",
        `PublicKey = ${HUB}`,
        `PresharedKey = ${HUB}`,
        "Endpoint = hub.example.org:51820",
        "AllowedIPs = 10.77.0.0/24",
        "PersistentKeepalive = 25",
        "",
      ].join("\n"),
    );
  });

  it("is accepted by `wg-quick strip` (the wg part goes to wg setconf unchanged)", () => {
    const dir = mkdtempSync(join(tmpdir(), "wgt-cfg-"));
    try {
      chmodSync(dir, 0o700);
      const file = join(dir, "wgtest0.conf");
      writeFileSync(file, config, { mode: 0o600 });
      const stripped = execFileSync("wg-quick", ["strip", file]).toString();
      expect(stripped).toContain(`PrivateKey = ${PRIV}`);
      expect(stripped).toContain("AllowedIPs = 10.77.0.0/24");
      expect(stripped).not.toContain("Address");
      expect(stripped).not.toContain("DNS");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has a QR code (SVG) encoding exactly the config", async () => {
    const svg = await qrCodeSvg(config);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("<path");
    const qr = QRCode.create(config, { errorCorrectionLevel: "M" });
    expect(qr.segments.map((s) => Buffer.from((s as unknown as { data: Uint8Array }).data).toString()).join("")).toBe(config);
  });
});
