import { describe, expect, it } from "vitest";
import * as impl from "../../../components/hut/hut-action-impl.ts";

/** HutAction's `transfer` input: validated against argv, and a change of it alone is stored, never re-run. */

const COMMIT = "3f2c1a97e5d4b8c6a1f0e9d8c7b6a5f4e3d2c1b0";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nkeymaterial\n-----END OPENSSH PRIVATE KEY-----";
const base = {
  argv: ["hut", "flash", "--inventory", "-", "--slot", "hut-01", "--sha", COMMIT, "--json"],
  stdin: '{"artifacts":{"store":"s3://fw-bucket"},"slots":[]}\n',
  triggers: [COMMIT, "/dev/serial/by-id/usb-x", "esp32"],
  connection: { host: "10.88.0.10", user: "runner", port: 22, privateKey: KEY },
};
const transfer = { store: "s3://fw-bucket", sha: COMMIT, chip: "esp32" };

describe("HutAction transfer", () => {
  it("adding or removing the transfer of an existing flash by commit is an update, not a re-flash", async () => {
    expect(await impl.diff("a", base, { ...base, transfer })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await impl.diff("a", { ...base, transfer }, base)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await impl.diff("a", { ...base, transfer }, { ...base, transfer })).toMatchObject({ changes: false });
  });

  it("check refuses a transfer of another commit than argv flashes, a bad store URL and a bad chip, naming the key", async () => {
    const r = await impl.check({}, { ...base, transfer: { store: "ftp://x", sha: COMMIT, chip: "avr" } });
    expect("failures" in r && r.failures.map((f) => f.property).sort()).toEqual(["transfer.chip", "transfer.store"]);
    const other = await impl.check({}, { ...base, transfer: { ...transfer, sha: "f".repeat(40) } });
    expect("failures" in other && other.failures).toEqual([{ property: "transfer.sha", reason: `argv must flash the same commit (--sha ${"f".repeat(40)})` }]);
    const ok = await impl.check({}, { ...base, transfer });
    expect("inputs" in ok && ok.inputs.transfer).toEqual(transfer);
  });

  it("the runner's command names the staged file and its sha256 in place of --sha", () => {
    expect(impl.withStagedImage(base.argv, "/tmp/tmp.X/firmware.bin", "ab".repeat(32))).toEqual([
      "hut", "flash", "--inventory", "-", "--slot", "hut-01", "--firmware", "/tmp/tmp.X/firmware.bin", "--sha256", "ab".repeat(32), "--json",
    ]);
  });
});
