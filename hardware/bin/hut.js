#!/usr/bin/env node
// The `hut` bin. Works from the repo (`npx hut …`) and from a copy of the repo with node_modules on a runner.
import { launch } from "./launch.js";

launch("hut", "../cli/main.ts", import.meta.url);
