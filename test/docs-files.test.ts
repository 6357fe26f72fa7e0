// Runs every ```ts example of docs/files.md, in order, against a PocketBase of its own, and checks what
// each one printed (the pattern of docs-auth.test.ts).
import { openAsBlob } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";

let pb: EmbeddedServer;
let dir: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  pb = await startEmbedded();
  dir = await mkdtemp(join(tmpdir(), "pocketmap-docs-files-"));
  await writeFile(join(dir, "clip.mp4"), new Uint8Array(1000).fill(7));
  const admin = pocketmap.setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
  await admin.createCollection({
    name: "documents",
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "file", type: "file", maxSelect: 1, maxSize: 1_000_000 },
    ],
  });
  await admin.createCollection({
    name: "invoices",
    type: "base",
    fields: [{ name: "pdf", type: "file", maxSelect: 1, maxSize: 1_000_000, protected: true }],
  });
  await admin.close();
  for (const key of ["POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD", "POCKETBASE_TOKEN"]) {
    saved[key] = process.env[key];
  }
  Object.assign(process.env, {
    POCKETBASE_URL: pb.url,
    POCKETBASE_EMAIL: pb.email,
    POCKETBASE_PASSWORD: pb.password,
  });
  delete process.env.POCKETBASE_TOKEN;
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await Promise.all([pb?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

it("every example in docs/files.md runs and prints what the text says", async () => {
  const markdown = await readFile(join(import.meta.dirname, "../docs/files.md"), "utf8");
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const source = [
    "export async function run(ctx) {",
    "  const { env, dir, setup, fileFrom, openAsBlob, InvalidInputError } = ctx;",
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
    dir,
    openAsBlob,
    block: 0,
    console: { log: (...values: unknown[]) => logs[ctx.block]!.push(...values) },
  };
  const { run } = (await import(file)) as { run: (context: typeof ctx) => Promise<void> };
  try {
    await run(ctx);
  } catch (error) {
    throw new Error(`docs/files.md example ${ctx.block + 1} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await env.close();
  }
  expect(logs).toEqual([
    ["hello"],
    [true, true],
    [true, true],
    ["/api/files/documents/abc123def456ghi/photo.png", "?thumb=100x100&download=1"],
    [1000, true],
    [404, 200, 8],
  ]);
}, 120_000);
