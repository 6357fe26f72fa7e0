// Runs every ```ts example of docs/replication.md, in order, between two PocketBase servers of their
// own, and checks what each one printed (the pattern of docs-files.test.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { runExamples, useServerVariables } from "./docs-examples.ts";

let origin: EmbeddedServer;
let backup: EmbeddedServer;
let dir: string;
let restore: () => void = () => {};
const options = (s: EmbeddedServer) => ({ url: s.url, email: s.email, password: s.password });

beforeAll(async () => {
  [origin, backup] = await Promise.all([startEmbedded(), startEmbedded()]);
  dir = await mkdtemp(join(tmpdir(), "pocketmap-docs-replication-"));
  const admin = pocketmap.setup({ async: true, ...options(origin) });
  await admin.createCollection({
    name: "posts",
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "published", type: "bool" },
      { name: "created", type: "autodate", onCreate: true, onUpdate: false },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  });
  await admin.collection("posts").createMany([1, 2, 3].map((n) => ({ title: `post ${n}`, published: true })));
  await admin.close();
  restore = useServerVariables(origin);
});

afterAll(async () => {
  restore();
  await Promise.all([origin?.stop(), backup?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

it("every example in docs/replication.md runs and prints what the text says", async () => {
  const env = pocketmap.setup({ async: true });
  let logs: unknown[][];
  try {
    logs = await runExamples(
      "replication.md",
      ["env", "setup", "backup", "origin"],
      { ...pocketmap, env, backup: options(backup), origin: options(origin) },
      dir,
    );
  } finally {
    await env.close();
  }
  expect(logs).toEqual([
    [3, 0, []],
    [0],
    [false, true, ["posts"]],
    [1],
    [true],
    ["edited on the backup, later", 1],
  ]);
}, 120_000);
