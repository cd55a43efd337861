import { describe, expect, it } from "vitest";
import { configProblems } from "../../helpers/stack-config.ts";

type Cfg = Record<string, Record<string, unknown>>;
const problemsOf = (stack: string, edit: (cfg: Cfg) => void) => configProblems<Cfg>(stack, edit);

const SHA = "3f2c1a97e5d4b8c6a1f0e9d8c7b6a5f4e3d2c1b0";

describe("labfleet:artifacts and firmware by commit", () => {
  it("the committed stacks are valid; a { sha } image next to a { path, sha256 } image is valid", () => {
    for (const s of ["local", "staging", "production"]) expect(problemsOf(s, () => {})).toEqual([]);
    expect(problemsOf("staging", (c) => Object.assign(c["labfleet:hut"]!.firmware as object, { esp32s3: { sha: SHA } }))).toEqual([]);
  });

  it("names the key: provider block missing, store on AWS without ci.aws, bad bucket", () => {
    expect(problemsOf("staging", (c) => delete c["labfleet:artifacts"]!.aws)).toEqual(["labfleet:artifacts.aws: required with provider aws"]);
    expect(problemsOf("staging", (c) => Object.assign(c["labfleet:ci"]!.aws as object, { enabled: false }))).toContain(
      "labfleet:artifacts.provider: aws needs labfleet:ci with ci.aws enabled (the upload role trusts its GitHub OIDC provider)",
    );
    expect(problemsOf("staging", (c) => (c["labfleet:artifacts"]!.bucket = "Bad_Bucket"))[0]).toMatch(/^labfleet:artifacts\.bucket: must be a bucket name/);
  });

  it("a firmware { sha } needs a store; the stack's store and hut.artifacts exclude each other", () => {
    const noStore = problemsOf("production", (c) => {
      delete c["labfleet:artifacts"];
      Object.assign(c["labfleet:hut"]!.firmware as object, { esp32: { sha: SHA } });
    });
    expect(noStore).toEqual(["labfleet:hut.firmware.esp32.sha: needs an artifact store: labfleet:artifacts, or hut.artifacts.store (file:///… on the local stack)"]);
    expect(problemsOf("staging", (c) => (c["labfleet:hut"]!.artifacts = { store: "file:///srv/artifacts" }))).toEqual([
      "labfleet:hut.artifacts: set by the stack from labfleet:artifacts (its bucket); remove it",
    ]);
    expect(problemsOf("local", (c) => (c["labfleet:hut"]!.artifacts = { store: "ftp://x" }))[0]).toMatch(/^labfleet:hut\.artifacts\.store: must be s3:\/\/bucket/);
    expect(problemsOf("staging", (c) => Object.assign(c["labfleet:hut"]!.firmware as object, { esp32s3: { sha: "3f2c1a9" } }))[0]).toMatch(/^labfleet:hut\.firmware\.esp32s3/);
  });
});
