import { defineConfig, type Options } from "tsup";

const shared: Options = {
  target: "node22",
  platform: "node",
  sourcemap: true,
  // Readable output: users debug through it (the official SDK ships minified).
  minify: false,
  splitting: false,
  // Cleaned by the build script instead: the two builds below run side by side.
  clean: false,
  external: ["undici"],
  // emittery is ESM-only; bundling it keeps the CommonJS build working without require(esm) interop.
  noExternal: ["emittery"],
};

export default defineConfig([
  {
    ...shared,
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    // emittery is bundled, so are its types: the CommonJS types must not import an ESM-only package
    // (TS1479 under module node16).
    dts: { entry: { index: "src/index.ts" }, resolve: ["emittery"] },
    // index.cjs finds dist/worker.js through import.meta.url.
    shims: true,
  },
  {
    ...shared,
    // ESM only. The sync worker (both builds of index start it) and the `pocketmap` command: each a
    // small entry that turns on the compile cache, then the code itself.
    entry: {
      worker: "src/sync/worker-entry.ts",
      "worker-main": "src/sync/worker.ts",
      cli: "src/cli/pocketmap.ts",
      "cli-main": "src/cli/main.ts",
    },
    format: ["esm"],
  },
]);
