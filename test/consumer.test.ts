// What users run: the packed tarball, installed into a fresh project, from ESM and from CommonJS; and
// what they compile: its published types, checked by tsc under a strict consumer's tsconfig.
import { mkdir, readFile, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDocPrograms } from "./docs-compile.ts";
import { freshPosts, server, superuserEnv } from "./helpers.ts";
import { builtinsLoaded, installPacked, root, run, runConsumer } from "./packed.ts";

describe("the packed package", () => {
  let project: string;
  let collection: string;
  const admin = superuserEnv();

  beforeAll(async () => {
    collection = await freshPosts(admin, "consumer");
    project = await installPacked("pocketmap-consumer");
    // The consumer's @types/node: this repository's copy, linked rather than installed (no network).
    await mkdir(join(project, "node_modules/@types"), { recursive: true });
    await symlink(join(root, "node_modules/@types/node"), join(project, "node_modules/@types/node"), "dir");
  }, 180_000);
  afterAll(async () => {
    await admin.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it.each(["esm.mjs", "cjs.cjs"])("works from %s, sync and async", async (script) => {
    const result = await runConsumer(process.execPath, project, script, server(), collection);
    const format = script.startsWith("esm") ? "esm" : "cjs";
    expect(result).toEqual({ format, title: `from ${format} sync`, notFound: true, count: 1 });
  });

  // The command as npx runs it: the installed bin, which finds its package.json from dist/.
  it("installs the pocketmap command, which prints its version and a command's help", async () => {
    const bin = join(project, "node_modules/.bin/pocketmap");
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
    const printed = await run(process.execPath, [bin, "--version"], { cwd: project, timeout: 60_000 });
    expect(printed.stdout.trim()).toBe(version);
    const help = await run(process.execPath, [bin, "help", "export"], { cwd: project, timeout: 60_000 });
    expect(help.stdout).toMatch(/^Usage: pocketmap export C/m);
  });

  // Each kind loads what it needs when first used (worker_threads, child_process, undici...), so that
  // importing pocketmap costs about what the official SDK's import does (bench/README.md).
  it.each(["import", "require"])("loads no Node built-in module at %s", async (how) => {
    expect(await builtinsLoaded(process.execPath, project, how)).toEqual([]);
  });

  // tsconfig.json: target ES2022, module/moduleResolution NodeNext, strict, types ["node"] and no esnext
  // library of its own; typed.mts resolves dist/index.d.ts, typed.cts dist/index.d.cts. The fixtures
  // use both kinds, plain-interface schemas, typed writes (with @ts-expect-error on unknown fields,
  // which tsc reports when unused), using / await using. tsconfig.bare.json: no @types/node (bare.mts).
  // tsconfig.node16.json: module Node16, where CommonJS types may not import an ESM-only package, with
  // exactOptionalPropertyTypes and noUncheckedIndexedAccess.
  // Concurrent: each is a tsc process of its own.
  it.concurrent.for(["tsconfig.json", "tsconfig.bare.json", "tsconfig.node16.json"])(
    "its types compile for a strict consumer (%s)",
    async (config, { expect }) => {
      const result = await tsc(project, config);
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
  );

  // Every code block of README.md and docs/*.md not marked `<!-- not run: reason -->`, and every JSDoc
  // example of src/, as a consumer compiles them (test/docs-compile.ts): a renamed member fails here
  // until the docs follow.
  it("compiles every code block of README.md and docs/*.md, and every JSDoc example (tsc --strict)", async () => {
    const result = await tsc(project, await writeDocPrograms(project));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});

/** Runs tsc on a project of the consumer; its output and exit code. */
async function tsc(project: string, config: string): Promise<{ code: number | undefined; output: string }> {
  const bin = join(root, "node_modules/typescript/bin/tsc");
  return run(process.execPath, [bin, "-p", config, "--pretty", "false"], { cwd: project }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code,
      output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
    }),
  );
}
