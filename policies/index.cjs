"use strict";
// Pack entry for the Pulumi CLI. The CLI runs `@pulumi/pulumi/cmd/run-policy-pack` with cwd =
// this directory, which registers its vendored ts-node (type-checking, CommonJS) and then
// require()s this package's `main`. Our sources are ESM TypeScript with explicit `.ts` imports
// (like the program), which that ts-node cannot load; a .cjs file is left alone by it, and tsx's
// CommonJS API (the same one the dynamic providers use) loads index.ts from here.
// tsx is registered for the whole process (it only hosts this pack), not as a namespaced
// `tsx.require`: a namespace loads its own copies of @pulumi/pulumi's protobuf classes, and the
// analyzer service then refuses to serialize the pack's PluginInfo ("Error serializing response").
require("tsx/cjs/api").register();
module.exports = require("./index.ts");
