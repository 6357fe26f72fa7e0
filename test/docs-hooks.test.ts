// Runs every ```ts example of docs/hooks.md, in order, against a PocketBase of its own, and checks what
// each one printed. The examples make their own environments (hooks are setup() options), of the kind
// each shows, from the server variables.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { runExamples, useServerVariables } from "./docs-examples.ts";
import { privateServer } from "./helpers.ts";

let pb: EmbeddedServer;
let dir: string;
let restore: () => void = () => {};

beforeAll(async () => {
  pb = await privateServer();
  dir = await mkdtemp(join(tmpdir(), "pocketmap-docs-hooks-"));
  const admin = pocketmap.setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
  await admin.createCollection({
    name: "posts",
    type: "base",
    listRule: "",
    fields: [{ name: "title", type: "text" }],
  });
  await admin.posts!.set("post00000000001", { title: "hello" });
  await admin.users!.create({
    email: "ada@example.com",
    password: "pass-1234",
    passwordConfirm: "pass-1234",
  });
  await admin.close();
  restore = useServerVariables(pb);
}, 120_000);

afterAll(async () => {
  restore();
  await Promise.all([pb?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

it("every example in docs/hooks.md runs and prints what the text says", async () => {
  const logs = await runExamples("hooks.md", ["setup", "InvalidInputError"], pocketmap, dir);
  expect(logs).toEqual([
    [
      "POST",
      "/api/collections/_superusers/auth-with-password",
      200,
      "GET",
      "/api/collections/posts/records/post00000000001",
      200,
    ],
    ["hello", "string"],
    ["GET /api/collections/posts/records x-app=reports"],
    [64, 64],
    [true, true],
    ["read-only: DELETE refused", true],
    [true],
  ]);
}, 120_000);
