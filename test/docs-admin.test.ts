// Runs every ```ts example of docs/admin.md, in order, against a PocketBase of its own (the pinned
// release, so crons and sql exist), and checks what each one printed.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";

let pb: EmbeddedServer;
let dir: string;
const saved: Record<string, string | undefined> = {};
const VARIABLES = ["POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD", "POCKETBASE_TOKEN"];

beforeAll(async () => {
  pb = await startEmbedded();
  dir = await mkdtemp(join(tmpdir(), "pocketmap-docs-admin-"));
  for (const key of VARIABLES) saved[key] = process.env[key];
  Object.assign(process.env, {
    POCKETBASE_URL: pb.url,
    POCKETBASE_EMAIL: pb.email,
    POCKETBASE_PASSWORD: pb.password,
  });
  delete process.env.POCKETBASE_TOKEN;
  // Log entries for the logs example: a few requests that fail, and time for PocketBase to write them.
  const env = pocketmap.setup({ async: true });
  for (let n = 0; n < 3; n++) await env.send(`/api/collections/missing${n}/records`).catch(() => undefined);
  for (
    let attempt = 0;
    (await env.admin.logs.list({ filter: "data.status >= 400" })).totalItems < 3;
    attempt++
  ) {
    if (attempt > 100) throw new Error("PocketBase never wrote the log entries");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await env.close();
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await Promise.all([pb?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

it("every example in docs/admin.md runs and prints what the text says", async () => {
  const markdown = await readFile(join(import.meta.dirname, "../docs/admin.md"), "utf8");
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const source = [
    "export async function run(ctx) {",
    "  const { env, setup, UnsupportedError } = ctx;",
    ...blocks.map((block, n) => `  ctx.block = ${n};\n  {\n    const console = ctx.console;\n${block}  }`),
    "}",
  ].join("\n");
  const file = join(dir, "examples.ts");
  await writeFile(file, source);
  const logs: unknown[][] = blocks.map(() => []);
  const env = pocketmap.setup({ async: true });
  const ctx = {
    ...pocketmap,
    env,
    block: 0,
    console: { log: (...values: unknown[]) => logs[ctx.block]!.push(...values) },
  };
  const { run } = (await import(file)) as { run: (context: typeof ctx) => Promise<void> };
  try {
    await run(ctx);
  } catch (error) {
    throw new Error(`docs/admin.md example ${ctx.block + 1} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await env.close();
  }
  expect(logs).toEqual([
    [true, true],
    ["base", "", 0, true, undefined],
    [["id", "label"]],
    [true, true],
    [true],
    [["name", "type"], [["users", "auth"]]],
    [200, "boolean"],
    [],
  ]);
}, 120_000);
