// Runs every ```ts example of docs/files.md, in order, against a PocketBase of its own, and checks what
// each one printed (the pattern of docs-auth.test.ts).
import { openAsBlob } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { runExamples, useServerVariables } from "./docs-examples.ts";

let pb: EmbeddedServer;
let dir: string;
let restore: () => void = () => {};

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
  restore = useServerVariables(pb);
});

afterAll(async () => {
  restore();
  await Promise.all([pb?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

it("every example in docs/files.md runs and prints what the text says", async () => {
  const env = pocketmap.setup({ async: true });
  const names = ["env", "dir", "setup", "fileFrom", "openAsBlob", "InvalidInputError"];
  let logs: unknown[][];
  try {
    logs = await runExamples("files.md", names, { ...pocketmap, env, dir, openAsBlob }, dir);
  } finally {
    await env.close();
  }
  expect(logs).toEqual([
    ["hello"],
    [],
    [true, true],
    [true, true],
    ["/api/files/documents/abc123def456ghi/photo.png", "?thumb=100x100&download=1"],
    [1000, true],
    [404, 200, 8],
  ]);
}, 120_000);
