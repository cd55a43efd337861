/**
 * `pulumi-language-nodejs` for machines where Pulumi's Go language host cannot be had
 * (docs/engine.md: "The Node.js language host", and its module notes).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as langProto from "@pulumi/pulumi/proto/language_pb.js";

const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js") as typeof grpcTypes;
const languagePb = require("@pulumi/pulumi/proto/language_pb.js") as typeof langProto;
const languageGrpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const pluginPb = require("@pulumi/pulumi/proto/plugin_pb.js");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb.js");

/** The SDK's "the user was already shown an actionable message" exit code (cmd/run). */
const EXITED_AFTER_REPORTING = 32;
const VERSION = (require("../../package.json") as { version: string }).version;

type Options = { typescript?: boolean; nodeargs?: string; tsconfig?: string };

const running = new Set<ChildProcess>();

function options(info: langProto.ProgramInfo | undefined): Options {
  return (info?.getOptions()?.toJavaScript() ?? {}) as Options;
}

/** Resolves an SDK entry module from the program directory, as node would from there. */
function locate(module: string, programDirectory: string): string {
  return createRequire(join(programDirectory, "noop.js")).resolve(module);
}

function runtimeEnv(opts: Options, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;
  return env;
}

/** Splits `nodeargs` like a POSIX shell does words: blanks separate, quotes group. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(m[1]?.replace(/\\(.)/g, "$1") ?? m[2] ?? m[3] ?? "");
  return words;
}

function nodeArgs(opts: Options): string[] {
  return splitWords(opts.nodeargs ?? "");
}

/** `ns:name` → `ns:config:name`: the bag shape every @pulumi/pulumi version reads. */
function configBag(req: langProto.RunRequest): string {
  const bag: Record<string, string> = {};
  for (const [key, value] of req.getConfigMap().entries()) {
    const at = key.indexOf(":");
    bag[at < 0 ? key : `${key.slice(0, at)}:config:${key.slice(at + 1)}`] = value;
  }
  return JSON.stringify(bag);
}

function runArguments(req: langProto.RunRequest, runPath: string, engineAddress: string): string[] {
  const info = req.getInfo();
  const args = [runPath];
  const add = (flag: string, value: string | undefined) => {
    if (value) args.push(`--${flag}`, value);
  };
  add("monitor", req.getMonitorAddress());
  add("engine", engineAddress);
  add("organization", req.getOrganization());
  add("project", req.getProject());
  add("root-directory", info?.getRootDirectory());
  add("stack", req.getStack());
  add("pwd", info?.getProgramDirectory() ?? req.getPwd());
  if (req.getDryrun()) args.push("--dry-run");
  add("parallel", String(req.getParallel()));
  args.push(info?.getEntryPoint() || req.getProgram() || ".", ...req.getArgsList());
  return args;
}

function start(args: string[], cwd: string, env: NodeJS.ProcessEnv, stdio: "inherit" | "pipe"): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", stdio, stdio] });
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on("error", () => resolve(-1));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
}

export function languageRuntime(engine: { address: string }) {
  return {
    handshake(call: { request: langProto.LanguageHandshakeRequest }, cb: grpcTypes.sendUnaryData<unknown>) {
      engine.address = call.request.getEngineAddress() || engine.address;
      cb(null, new languagePb.LanguageHandshakeResponse());
    },
    getPluginInfo(_call: unknown, cb: grpcTypes.sendUnaryData<unknown>) {
      cb(null, new pluginPb.PluginInfo().setVersion(VERSION));
    },
    getRequiredPlugins(_call: unknown, cb: grpcTypes.sendUnaryData<unknown>) {
      cb(null, new languagePb.GetRequiredPluginsResponse());
    },
    getRequiredPackages(_call: unknown, cb: grpcTypes.sendUnaryData<unknown>) {
      cb(null, new languagePb.GetRequiredPackagesResponse());
    },
    async run(call: { request: langProto.RunRequest }, cb: grpcTypes.sendUnaryData<unknown>) {
      const req = call.request;
      const info = req.getInfo();
      const dir = info?.getProgramDirectory() || req.getPwd();
      const opts = options(info);
      const response = new languagePb.RunResponse();
      let runPath: string;
      try {
        runPath = locate(process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run", dir);
      } catch (err) {
        cb(null, response.setError(`could not find @pulumi/pulumi from ${dir}: run npm install (${(err as Error).message})`));
        return;
      }
      const env = runtimeEnv(opts, {
        ...process.env,
        PULUMI_CONFIG: configBag(req),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
      });
      const child = start([...nodeArgs(opts), ...runArguments(req, runPath, engine.address)], dir, env, "inherit");
      const code = await exitCode(child);
      if (code === EXITED_AFTER_REPORTING) response.setBail(true);
      else if (code !== 0) response.setError(`Program exited with non-zero exit code: ${code}`);
      cb(null, response);
    },
    async runPlugin(call: grpcTypes.ServerWritableStream<langProto.RunPluginRequest, unknown>) {
      const req = call.request;
      const info = req.getInfo();
      const dir = info?.getProgramDirectory() || req.getPwd();
      const opts = options(info);
      const analyzer = req.getKind() === "analyzer";
      const entry = locate(analyzer ? "@pulumi/pulumi/cmd/run-policy-pack" : "@pulumi/pulumi/cmd/run-plugin", dir);
      const env = runtimeEnv(opts, Object.fromEntries(req.getEnvList().map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])));
      const args = analyzer ? [entry, ...nodeArgs(opts), ...req.getArgsList(), dir] : [entry, ...nodeArgs(opts), dir, ...req.getArgsList()];
      const child = start(args, analyzer ? dir : req.getPwd() || dir, env, "pipe");
      child.stdout?.on("data", (b: Buffer) => call.write(new languagePb.RunPluginResponse().setStdout(b)));
      child.stderr?.on("data", (b: Buffer) => call.write(new languagePb.RunPluginResponse().setStderr(b)));
      call.on("cancelled", () => child.kill("SIGINT"));
      const code = await exitCode(child);
      call.write(new languagePb.RunPluginResponse().setExitcode(code));
      call.end();
    },
    about(_call: unknown, cb: grpcTypes.sendUnaryData<unknown>) {
      cb(null, new languagePb.AboutResponse().setExecutable(process.execPath).setVersion(process.version));
    },
    getProgramDependencies(call: { request: langProto.GetProgramDependenciesRequest }, cb: grpcTypes.sendUnaryData<unknown>) {
      const response = new languagePb.GetProgramDependenciesResponse();
      const dir = call.request.getInfo()?.getRootDirectory() || call.request.getPwd();
      try {
        const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
        for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
          response.addDependencies(new languagePb.DependencyInfo().setName(name).setVersion(version));
        }
      } catch {
        // no package.json: no dependencies to report
      }
      cb(null, response);
    },
    runtimeOptionsPrompts(_call: unknown, cb: grpcTypes.sendUnaryData<unknown>) {
      cb(null, new languagePb.RuntimeOptionsResponse());
    },
    cancel(_call: unknown, cb: grpcTypes.sendUnaryData<unknown>) {
      for (const child of running) child.kill("SIGINT");
      cb(null, new emptyPb.Empty());
    },
  };
}

/** Flags the CLI may pass (`-root=…`, `-tracing=…`, `-v=…`) are accepted; the positional is the engine. */
export function engineAddressFromArgv(argv: readonly string[]): string {
  return argv.find((a) => !a.startsWith("-")) ?? "";
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("-version") || argv.includes("--version")) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const engine = { address: engineAddressFromArgv(argv) };
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(languageGrpc.LanguageRuntimeService, languageRuntime(engine) as unknown as grpcTypes.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  process.stdout.write(`${port}\n`);
  const stop = () => {
    for (const child of running) child.kill("SIGINT");
    server.forceShutdown();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`pulumi-language-nodejs: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
