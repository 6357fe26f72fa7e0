// The sync worker's entry: turn on Node's compile cache before the worker's modules load, so that
// every later process starts its worker from cached code (about 20 ms sooner; see bench/README.md).
// The cache lives in pocketmap's cache dir; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import module from "node:module";
import { join } from "node:path";
import { cacheDir } from "../server/binary.ts";

try {
  module.enableCompileCache?.(join(cacheDir(), "compile-cache"));
} catch {
  // A cache that cannot be written only costs speed.
}
// Computed, so that the bundler leaves this import alone: the built worker lives in worker-main.js.
const here = import.meta.url;
await import(new URL(here.endsWith(".ts") ? "./worker.ts" : "./worker-main.js", here).href);
