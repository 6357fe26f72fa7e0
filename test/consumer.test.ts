// What users run: the packed tarball, installed into a fresh project, from ESM and from CommonJS.
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
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
});
