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
