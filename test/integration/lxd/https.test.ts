import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { LxdInstance as LxdInstanceSchema } from "../../../components/lxd/api.ts";
import { LxdClient, LxdError } from "../../../components/lxd/client.ts";
import * as impl from "../../../components/lxd/instance-impl.ts";
import type { LxdRemote } from "../../../components/lxd/remote.ts";
import { HTTPS_ADDRESS, RUN_ID, cleanupInstances, client as unixClient, containerInputs, instanceName, requireLxd } from "./lxd-env.ts";

/**
 * The HTTPS transport against the real daemon (core.https_address from the prereqs): a client
 * certificate made for this run is trusted through the unix socket, used, and removed again.
 */

const run = promisify(execFile);

interface Cert {
  cert: string;
  key: string;
  fingerprint: string;
}

let dir: string;
let trusted: Cert;
let stranger: Cert;
let serverCert: string;
const url = `https://${HTTPS_ADDRESS}`;

async function makeCert(name: string): Promise<Cert> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", `/CN=${name}`,
  ]);
  const cert = await readFile(certFile, "utf8");
  const fingerprint = new X509Certificate(cert).fingerprint256.replaceAll(":", "").toLowerCase();
  return { cert, key: await readFile(keyFile, "utf8"), fingerprint };
}

/** An https remote; `pinned` null = no pinned server certificate. */
function remote(cert: Cert, pinned: string | null = serverCert): LxdRemote {
  return { kind: "https", url, clientCertificate: cert.cert, project: "default", ...(pinned !== null ? { serverCertificate: pinned } : {}) };
}

beforeAll(async () => {
  await requireLxd();
  dir = await mkdtemp(join(tmpdir(), "lxd-https-"));
  trusted = await makeCert(`labfleet-test-${RUN_ID}`);
  stranger = await makeCert(`labfleet-stranger-${RUN_ID}`);
  const server = await unixClient.get("/1.0", z.object({ environment: z.object({ certificate: z.string() }) }));
  serverCert = server.value.environment.certificate;
  const der = new X509Certificate(trusted.cert).raw.toString("base64");
  await unixClient.call("POST", "/1.0/certificates", { body: { type: "client", name: `labfleet-test-${RUN_ID}`, certificate: der } });
});

afterAll(async () => {
  await cleanupInstances();
  if (trusted) await unixClient.call("DELETE", `/1.0/certificates/${trusted.fingerprint}`).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("LXD over HTTPS with a TLS client certificate", () => {
  it("talks to the daemon as a trusted client when the server certificate is pinned", async () => {
    const c = new LxdClient({ remote: remote(trusted), clientKey: trusted.key });
    const info = await c.get("/1.0", z.object({ auth: z.string() }));
    expect(info.value.auth).toBe("trusted");
    const list = await c.get("/1.0/instances", z.array(z.string()));
    expect(Array.isArray(list.value)).toBe(true);
  });

  it("runs the provider over HTTPS: create, exec, read, delete", async () => {
    const name = instanceName("https");
    const checked = await impl.check({}, { ...containerInputs(name), remote: remote(trusted), clientKey: trusted.key });
    if (!("inputs" in checked) || !checked.inputs) throw new Error(JSON.stringify(checked));
    const { outs } = await impl.create(checked.inputs);
    expect(outs.status).toBe("Running");
    const c = new LxdClient({ remote: remote(trusted), clientKey: trusted.key });
    expect((await c.exec(name, ["hostname"], { timeoutSeconds: 20 })).stdout).toBe(`${name}\n`);
    expect(((await impl.read(name, outs as unknown as Record<string, unknown>)).props as { drift: string[] }).drift).toEqual([]);
    await impl.delete(name, outs as unknown as Record<string, unknown>);
    expect(await unixClient.find(`/1.0/instances/${name}`, LxdInstanceSchema)).toBeUndefined();
  });

  it("an untrusted client certificate gets a clear authorisation error", async () => {
    const c = new LxdClient({ remote: remote(stranger), clientKey: stranger.key });
    const e = await c.get("/1.0/instances", z.unknown()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LxdError);
    expect((e as LxdError).kind).toBe("api");
    expect((e as LxdError).status).toBe(403);
    expect((e as LxdError).message).toBe(`LXD GET /1.0/instances on ${url} failed (403): not authorized`);
  });

  it("refuses a server whose certificate is not the pinned one", async () => {
    const c = new LxdClient({ remote: remote(trusted, trusted.cert), clientKey: trusted.key });
    const e = await c.get("/1.0", z.unknown()).catch((x: unknown) => x);
    expect((e as LxdError).kind).toBe("connection");
    expect((e as LxdError).message).toMatch(new RegExp(`^cannot reach LXD at ${url}: .*\\(the server's certificate is not the remote's pinned serverCertificate\\)$`));
  });

  it("without a pinned certificate, checks the server against the system CAs (LXD's is self-signed)", async () => {
    const c = new LxdClient({ remote: remote(trusted, null), clientKey: trusted.key });
    const e = await c.get("/1.0", z.unknown()).catch((x: unknown) => x);
    expect((e as LxdError).kind).toBe("connection");
    expect((e as LxdError).message).toMatch(/self[- ]signed certificate \(LXD's own certificate is self-signed: pin it with the remote's serverCertificate\)$/);
  });

  it("needs the client key for an https remote", () => {
    expect(() => new LxdClient({ remote: remote(trusted) })).toThrow(/the client key \(labfleet:lxdClientKey\) is not set/);
  });
});
