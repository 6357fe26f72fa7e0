// What users run: the packed tarball, installed into a fresh project, from ESM and from CommonJS; and
// what they compile: its published types, checked by tsc under a strict consumer's tsconfig.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPosts, server, superuserEnv } from "./helpers.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("the packed package", () => {
  let project: string;
  let collection: string;
  const admin = superuserEnv();

  beforeAll(async () => {
    collection = await freshPosts(admin, "consumer");
    project = await mkdtemp(join(tmpdir(), "pocketmap-consumer-"));
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
    // The consumer's @types/node: this repository's copy, linked rather than installed (no network).
    await mkdir(join(project, "node_modules/@types"), { recursive: true });
    await symlink(join(root, "node_modules/@types/node"), join(project, "node_modules/@types/node"), "dir");
  }, 180_000);
  afterAll(async () => {
    await admin.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it.each(["esm.mjs", "cjs.cjs"])("works from %s, sync and async", async (script) => {
    const { url, email, password } = server();
    const { stdout } = await run(process.execPath, [script], {
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
      const tsc = join(root, "node_modules/typescript/bin/tsc");
      const result = await run(process.execPath, [tsc, "-p", config, "--pretty", "false"], {
        cwd: project,
      }).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code,
          output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
        }),
      );
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
  );
});
