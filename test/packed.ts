// The packed tarball installed into a fresh project, as users get it: shared by the consumer tests
// (Node 24 in consumer.test.ts, the oldest supported Node in consumer-node22.test.ts).
import { execFile } from "node:child_process";
import { cp, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);
export const root = join(import.meta.dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Builds, packs and installs pocketmap into a new temporary project holding the consumer fixtures. */
export async function installPacked(prefix: string): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), `${prefix}-`));
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
  return project;
}

/** Runs a consumer fixture (esm.mjs, cjs.cjs) with `node` against `url`; returns what it printed, parsed. */
export async function runConsumer(
  node: string,
  project: string,
  script: string,
  server: { url: string; email: string; password: string },
  collection: string,
): Promise<unknown> {
  const { stdout } = await run(node, [script], {
    cwd: project,
    timeout: 60_000,
    env: {
      ...process.env,
      POCKETBASE_URL: server.url,
      POCKETBASE_EMAIL: server.email,
      POCKETBASE_PASSWORD: server.password,
      CONSUMER_COLLECTION: collection,
    },
  });
  return JSON.parse(stdout.trim());
}

/** The Node built-in modules that loading the package with `how` (import or require) loaded. */
export async function builtinsLoaded(node: string, project: string, how: string): Promise<unknown> {
  const { stdout } = await run(node, ["builtins.cjs", how], { cwd: project, timeout: 60_000 });
  return JSON.parse(stdout.trim());
}
