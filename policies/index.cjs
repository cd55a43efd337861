"use strict";
// Pack entry for the Pulumi CLI. The CLI runs `@pulumi/pulumi/cmd/run-policy-pack` with cwd =
// this directory, which registers its vendored ts-node (type-checking, CommonJS) and then
// require()s this package's `main`. Our sources are ESM TypeScript with explicit `.ts` imports
// (like the program), which that ts-node cannot load; a .cjs file is left alone by it, and tsx's
// CommonJS API (the same one the dynamic providers use) loads index.ts from here.
const tsx = require("tsx/cjs/api");
module.exports = tsx.require("./index.ts", __filename);
