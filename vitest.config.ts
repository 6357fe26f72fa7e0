import { defineConfig } from "vitest/config";
import { pinnedVersion } from "./src/server/binary.ts";
import { OLDEST_POCKETBASE } from "./test/versions.ts";

// `npm test` runs the server-behaviour files on the pinned (newest) PocketBase and on the oldest
// supported one; pretest installs both (test/install-servers.ts).

// Checked once, on the newest server: they test packaging, examples, memory or other servers, not
// PocketBase's answers.
const ONCE = [
  "test/consumer.test.ts",
  "test/api-reference.test.ts",
  "test/examples.test.ts",
  "test/example-server.test.ts",
  "test/docs-auth.test.ts",
  "test/docs-admin.test.ts",
  "test/docs-files.test.ts",
  "test/docs-replication.test.ts",
  "test/docs-settings-backups.test.ts",
  "test/docs-pages.test.ts",
  "test/readme-claims.test.ts",
  "test/sync-memory.test.ts",
  "test/identity-leak.test.ts",
  "test/files-large.test.ts",
  "test/pocketbase-0.22.test.ts",
];
// The packed package on Node 22: after the other projects, so that its build never races
// consumer.test.ts's (both write dist/).
const NODE22 = ["test/consumer-node22.test.ts"];
const ALL = ["test/**/*.test.ts"];
// Starts one PocketBase per project, of the version in the project's POCKETMAP_POCKETBASE_VERSION
// (projects do not inherit the root's globalSetup: it would run once, for the root).
const globalSetup = ["test/global-setup.ts"];
// The suite's own embedded servers are temporary by design: no notice (test/embedded.test.ts checks it).
const QUIET = { POCKETMAP_QUIET: "1" };

const newest = pinnedVersion();
const oldest = {
  extends: true,
  test: {
    name: `pocketbase ${OLDEST_POCKETBASE}`,
    include: ALL,
    globalSetup,
    exclude: [...ONCE, ...NODE22],
    env: { ...QUIET, POCKETMAP_POCKETBASE_VERSION: OLDEST_POCKETBASE },
  },
};

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files share one PocketBase per project; each works in collections of its own.
    fileParallelism: true,
    // Most files wait on servers, sleeps and child processes rather than compute: on a 2-CPU machine
    // vitest's default (CPUs - 1) would run them one at a time.
    maxWorkers: 3,
    env: QUIET,
    // Project options extend these; arrays (include, exclude) are concatenated, so each project lists
    // its own files.
    projects: [
      {
        extends: true,
        test: { name: `pocketbase ${newest}`, include: ALL, exclude: NODE22, globalSetup },
      },
      // Unless the pin was set to it (POCKETMAP_POCKETBASE_VERSION): project names must differ.
      ...(newest === OLDEST_POCKETBASE ? [] : [oldest]),
      {
        extends: true,
        test: { name: "node 22", include: NODE22, globalSetup, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
