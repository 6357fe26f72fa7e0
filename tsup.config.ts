import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/env/cli.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  target: "node22",
  platform: "node",
  clean: true,
  sourcemap: true,
  // Readable output: users debug through it (the official SDK ships minified).
  minify: false,
  splitting: false,
  external: ["synckit", "undici", "emittery"],
});
