// The packed tarball on the oldest Node the package supports (engines: >= 22.19), from ESM and from
// CommonJS, both kinds. pretest installs that Node (test/versions.ts OLDEST_NODE) from the npm
// registry's `node` package into pocketmap's cache; Node 24 runs the same fixtures in test/consumer.test.ts.
// Its vitest project runs after the others (vitest.config.ts), so its build never races that file's.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPosts, server, superuserEnv } from "./helpers.ts";
import { OLDEST_NODE, oldestNodeBin } from "./versions.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const node22 = oldestNodeBin().bin;

describe("the packed package on Node 22", () => {
  let project: string;
  let collection: string;
  const admin = superuserEnv();

  beforeAll(async () => {
    collection = await freshPosts(admin, "consumer22");
    project = await mkdtemp(join(tmpdir(), "pocketmap-consumer22-"));
    await run(npm, ["run", "build"], { cwd: root });
    const { stdout } = await run(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", project], {
      cwd: root,
    });
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", join(project, filename)], {
      cwd: project,
    });
    await cp(join(import.meta.dirname, "fixtures/consumer"), project, { recursive: true });
  }, 180_000);
  afterAll(async () => {
    await admin.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it("runs the oldest Node 22 that package.json's engines allow", async () => {
    const { engines } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      engines: { node: string };
    };
    const { stdout } = await run(node22, ["--version"]);
    expect(engines.node).toBe(`>=${OLDEST_NODE.split(".").slice(0, 2).join(".")}`);
    expect(stdout.trim()).toBe(`v${OLDEST_NODE}`);
  });

  it.each(["esm.mjs", "cjs.cjs"])("works from %s, sync and async", async (script) => {
    const { url, email, password } = server();
    const { stdout } = await run(node22, [script], {
      cwd: project,
      timeout: 60_000,
      env: {
        ...process.env,
        POCKETBASE_URL: url,
        POCKETBASE_EMAIL: email,
        POCKETBASE_PASSWORD: password,
        CONSUMER_COLLECTION: collection,
      },
    });
    const result = JSON.parse(stdout.trim()) as Record<string, unknown>;
    const format = script.startsWith("esm") ? "esm" : "cjs";
    expect(result).toEqual({ format, title: `from ${format} sync`, notFound: true, count: 1 });
  });
});
