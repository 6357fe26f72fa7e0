import { defineConfig } from "vitest/config";
import { pinnedVersion } from "./src/env/binary.ts";

/**
 * The oldest PocketBase pocketmap supports (0.23 renamed admins to superusers). `npm test` runs the
 * server-behaviour files on it as well as on the pinned (newest) release; pretest installs both.
 */
export const OLDEST_POCKETBASE = "0.23.12";

// Checked once, on the newest server: they test packaging, examples, memory or other servers, not
// PocketBase's answers.
const ONCE = [
  "test/consumer.test.ts",
  "test/examples.test.ts",
  "test/sync-memory.test.ts",
  "test/pocketbase-0.22.test.ts",
];
// The packed package on Node 22: after the other projects, so that its build never races
// consumer.test.ts's (both write dist/).
const NODE22 = ["test/consumer-node22.test.ts"];
const ALL = ["test/**/*.test.ts"];
// The suite's own embedded servers are temporary by design: no notice (test/embedded.test.ts checks it).
const QUIET = { POCKETMAP_QUIET: "1" };

export default defineConfig({
  test: {
    // Starts one PocketBase per project, of the version in the project's POCKETMAP_POCKETBASE_VERSION.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files share one PocketBase per project; each works in collections of its own.
    fileParallelism: true,
    env: QUIET,
    // Project options extend these; arrays (include, exclude) are concatenated, so each project lists
    // its own files.
    projects: [
      {
        extends: true,
        test: { name: `pocketbase ${pinnedVersion()}`, include: ALL, exclude: NODE22 },
      },
      {
        extends: true,
        test: {
          name: `pocketbase ${OLDEST_POCKETBASE}`,
          include: ALL,
          exclude: [...ONCE, ...NODE22],
          env: { ...QUIET, POCKETMAP_POCKETBASE_VERSION: OLDEST_POCKETBASE },
        },
      },
      {
        extends: true,
        test: { name: "node 22", include: NODE22, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
