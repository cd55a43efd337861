import { spawn } from "node:child_process";
import { join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { engineAddressFromArgv, splitWords } from "../../../tools/engine/language-host.ts";
import { mergeStackFile, ROOT } from "../../../tools/engine/pulumi.ts";

const require = createRequire(import.meta.url);

describe("labfleet's Node.js language host", () => {
  it("splits nodeargs into words like a shell", () => {
    expect(splitWords("--import tsx")).toEqual(["--import", "tsx"]);
    expect(splitWords(` --max-old-space-size=4096  "--title=a b" '--x=y z' `)).toEqual(["--max-old-space-size=4096", "--title=a b", "--x=y z"]);
    expect(splitWords("")).toEqual([]);
  });

  it("takes the engine address from the first positional, accepting the CLI's flags", () => {
    expect(engineAddressFromArgv(["-root=/p", "-tracing=", "127.0.0.1:4242"])).toBe("127.0.0.1:4242");
    expect(engineAddressFromArgv([])).toBe("");
  });

  it("prints its port first and answers GetPluginInfo and GetRequiredPackages over gRPC", async () => {
    const host = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tools/engine/language-host.ts")], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no port within 20 s")), 20_000);
        host.stdout.once("data", (b: Buffer) => {
          clearTimeout(timer);
          resolve(Number(b.toString().split("\n")[0]));
        });
      });
      expect(port).toBeGreaterThan(0);
      const grpc = require("@grpc/grpc-js");
      const { LanguageRuntimeClient } = require("@pulumi/pulumi/proto/language_grpc_pb.js");
      const { Empty } = require("google-protobuf/google/protobuf/empty_pb.js");
      const { GetRequiredPackagesRequest } = require("@pulumi/pulumi/proto/language_pb.js");
      const client = new LanguageRuntimeClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const call = <T>(method: string, req: unknown) =>
        new Promise<T>((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
      const info = await call<{ getVersion(): string }>("getPluginInfo", new Empty());
      expect(info.getVersion()).toBe((require("../../../package.json") as { version: string }).version);
      const pkgs = await call<{ getPackagesList(): unknown[] }>("getRequiredPackages", new GetRequiredPackagesRequest());
      expect(pkgs.getPackagesList()).toEqual([]);
      client.close();
    } finally {
      host.kill("SIGTERM");
    }
  });
});

describe("derived stack files", () => {
  it("keep the old file's salt and secure values, take everything else from the new config", () => {
    const old = "encryptionsalt: v1:abc\nconfig:\n  labfleet:haToken:\n    secure: v1:xyz\n  labfleet:old: 1\n";
    const merged = mergeStackFile(old, "config:\n  labfleet:environment: local\n");
    expect(merged).toContain("encryptionsalt: v1:abc");
    expect(merged).toContain("secure: v1:xyz");
    expect(merged).toContain("labfleet:environment: local");
    expect(merged).not.toContain("labfleet:old");
  });
});
