// Runs every ```ts example of docs/admin.md, in order, once with each kind, each time against a
// PocketBase of its own (the pinned release, so crons and sql exist; the examples create collections),
// and checks what each one printed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { runExamples, useServerVariables } from "./docs-examples.ts";
import { KINDS, openEnvWith } from "./kinds.ts";

describe.each(KINDS)("every example in docs/admin.md (%s kind)", (kind) => {
  let pb: EmbeddedServer;
  let dir: string;
  let restore: () => void = () => {};

  beforeAll(async () => {
    pb = await startEmbedded();
    dir = await mkdtemp(join(tmpdir(), `pocketmap-docs-admin-${kind}-`));
    restore = useServerVariables(pb);
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
    restore();
    await Promise.all([pb?.stop(), dir && rm(dir, { recursive: true, force: true })]);
  });

  it("runs and prints what the text says", async () => {
    const env = openEnvWith(kind, { url: pb.url, email: pb.email, password: pb.password });
    let logs: unknown[][];
    try {
      logs = await runExamples("admin.md", ["env", "setup", "UnsupportedError"], { ...pocketmap, env }, dir);
    } finally {
      await env.close();
    }
    expect(logs).toEqual([
      [true, true],
      ["base", "", 0, true, undefined],
      [["id", "label"]],
      // deleteMissing with the whole list plus one model: one more collection, none lost.
      [1, true, true],
      [true, true, true],
      [true],
      [["name", "type"], [["users", "auth"]]],
      [200, "boolean"],
      [],
    ]);
  }, 120_000);
});
