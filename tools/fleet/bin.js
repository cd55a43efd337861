#!/usr/bin/env node
// The `fleet` bin (`npx fleet …` in the repo).
import { launch } from "../../hardware/bin/launch.js";

launch("fleet", "./cli.ts", import.meta.url);
