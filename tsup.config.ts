import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/env/cli.ts", worker: "src/sync/worker.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  target: "node22",
  platform: "node",
  clean: true,
  sourcemap: true,
  // Readable output: users debug through it (the official SDK ships minified).
  minify: false,
  splitting: false,
  // index.cjs finds dist/worker.js through import.meta.url.
  shims: true,
  external: ["synckit", "undici"],
  // emittery is ESM-only; bundling it keeps the CommonJS build working without require(esm) interop.
  noExternal: ["emittery"],
});
