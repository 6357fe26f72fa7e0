import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files share one PocketBase; each works in collections of its own.
    fileParallelism: true,
    // The suite's own embedded servers are temporary by design: no notice (test/embedded.test.ts checks it).
    env: { POCKETMAP_QUIET: "1" },
  },
});
