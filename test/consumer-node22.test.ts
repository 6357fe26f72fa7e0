// The packed tarball on the oldest Node the package supports (engines: >= 22.19), from ESM and from
// CommonJS, both kinds. pretest installs that Node (test/versions.ts OLDEST_NODE) from the npm
// registry's `node` package into pocketmap's cache; Node 24 runs the same fixtures in test/consumer.test.ts.
// Its vitest project runs after the others (vitest.config.ts), so its build never races that file's.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPosts, server, superuserEnv } from "./helpers.ts";
import { builtinsLoaded, installPacked, root, run, runConsumer } from "./packed.ts";
import { nodeBin, OLDEST_NODE, oldestNodeBin, TOO_OLD_NODE } from "./versions.ts";

const node22 = oldestNodeBin().bin;

describe("the packed package on Node 22", () => {
  let project: string;
  let collection: string;
  const admin = superuserEnv();

  beforeAll(async () => {
    collection = await freshPosts(admin, "consumer22");
    project = await installPacked("pocketmap-consumer22");
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
    const result = await runConsumer(node22, project, script, server(), collection);
    const format = script.startsWith("esm") ? "esm" : "cjs";
    expect(result).toEqual({ format, title: `from ${format} sync`, notFound: true, count: 1 });
  });

  it.each(["import", "require"])("loads no Node built-in module at %s", async (how) => {
    expect(await builtinsLoaded(node22, project, how)).toEqual([]);
  });

  it.each([
    ["CommonJS", ["-e", 'require("pocketmap").setup({ url: process.env.URL })']],
    [
      "ESM",
      [
        "--input-type=module",
        "-e",
        'import { setup } from "pocketmap"; setup({ url: process.env.URL, async: true })',
      ],
    ],
  ])("on Node %s too old for it, setup() says which Node it needs (%s)", async (_, args) => {
    const node20 = nodeBin(TOO_OLD_NODE).bin;
    const failed = await run(node20, args, { cwd: project, env: { ...process.env, URL: server().url } }).then(
      () => expect.unreachable("setup() ran on Node 20"),
      (error: { stderr: string }) => error.stderr,
    );
    expect(failed).toMatch(
      /PocketmapError: pocketmap: needs Node 22\.19\.0 or newer, and this is Node 20\.19\.0/,
    );
    expect(failed).toMatch(/Install a current Node/);
    expect(failed).not.toMatch(/reading 'bind'/);
  });
});
