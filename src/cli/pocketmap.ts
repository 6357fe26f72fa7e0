#!/usr/bin/env node
// The `pocketmap` command's entry: turn on Node's compile cache before the command's modules load, so
// that every run after the first starts from cached code (bench/README.md, "The CLI"). This is the
// command's own process, so the cache covers only its code; it lives in pocketmap's cache dir, next to
// the sync worker's, and NODE_DISABLE_COMPILE_CACHE=1 turns it off. A cache that cannot be written
// (a read-only home, say) only costs speed: Node reports that in the return value, never by throwing
// or printing.
import { cacheDir } from "../server/binary.ts";
import { nodeModules } from "../server/node-modules.ts";

try {
  const { join } = nodeModules.path;
  process.getBuiltinModule("node:module").enableCompileCache?.(join(cacheDir(), "compile-cache"));
} catch {
  // As above: only speed is lost.
}
// Computed, so that the bundler leaves this import alone: the built command lives in cli-main.js.
const here = import.meta.url;
await import(new URL(here.endsWith(".ts") ? "./main.ts" : "./cli-main.js", here).href);
