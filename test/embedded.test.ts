// Embedded mode: with no URL anywhere, setup() starts a local PocketBase and stops it again.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { setup } from "../src/index.ts";
import { gone, reachable } from "./helpers.ts";
import { KINDS, openEnvWith } from "./kinds.ts";

const run = promisify(execFile);

describe("embedded mode", () => {
  it("starts a server on first use, as a superuser, and stops it on close()", async () => {
    const env = setup({ async: true, url: undefined });
    expect(await env.keys()).toContain("users");
    const url = await env.url();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await env.createCollection({ name: "notes", type: "base", fields: [{ name: "text", type: "text" }] });
    await env.notes!.set("note00000000001", { text: "hello" });
    expect((await env.notes!.get("note00000000001"))?.text).toBe("hello");
    expect(await reachable(url)).toBe(true);
    await env.close();
    expect(await gone(url)).toBe(true);
  });

  it("keeps its data in dir across runs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pocketmap-test-"));
    try {
      const first = setup({ async: true, dir: join(dir, "pb_data") });
      await first.createCollection({ name: "kept", type: "base", fields: [{ name: "n", type: "number" }] });
      await first.kept!.set("kept00000000001", { n: 42 });
      await first.close();
      const second = setup({ async: true, dir: join(dir, "pb_data") });
      expect((await second.kept!.get("kept00000000001"))?.n).toBe(42);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe.each(["async", "sync"] as const)("the notice of a temporary server (%s)", (kind) => {
    const fixture = join(import.meta.dirname, "fixtures/embedded-notice.ts");
    // The suite itself runs with POCKETMAP_QUIET=1 (vitest.config.ts); these children do not.
    const start = (options: Record<string, unknown>, variables: Record<string, string> = {}) =>
      run(process.execPath, [fixture, JSON.stringify({ kind, ...options })], {
        timeout: 30_000,
        env: { ...process.env, POCKETBASE_URL: "", POCKETBASE_DIR: "", POCKETMAP_QUIET: "", ...variables },
      });

    it("is written once to stderr: where, that the data goes at exit, how to keep it", async () => {
      const { stdout, stderr } = await start({});
      const url = stdout.trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stderr.split("started a temporary PocketBase")).toHaveLength(2);
      expect(stderr).toContain(`started a temporary PocketBase at ${url}`);
      expect(stderr).toMatch(/its data is deleted when this process exits/);
      expect(stderr).toMatch(/setup\(\{ dir \}\) or set POCKETBASE_DIR/);
      expect(await gone(url)).toBe(true);
    });

    it("is silenced by quiet: true and by POCKETMAP_QUIET=1", async () => {
      for (const { stdout, stderr } of [
        await start({ quiet: true }),
        await start({}, { POCKETMAP_QUIET: "1" }),
      ]) {
        expect(stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(stderr).not.toMatch(/temporary/);
      }
    });

    it("is not given when the data is kept in dir", async () => {
      const dir = await mkdtemp(join(tmpdir(), "pocketmap-test-"));
      try {
        const { stdout, stderr } = await start({ dir: join(dir, "pb_data") });
        expect(stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(stderr).not.toMatch(/temporary/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe.each(KINDS)("bulk jobs (%s kind)", (kind) => {
    type Batch = { batch: { enabled: boolean; maxRequests: number; timeout: number } };

    it("a temporary server has the batch API on, so createMany sends transactions", async () => {
      const env = openEnvWith(kind, { url: undefined });
      try {
        expect((await env.send<Batch>("/api/settings")).batch).toMatchObject({
          enabled: true,
          maxRequests: 500,
          timeout: 30,
        });
        await env.createCollection({ name: "rows", type: "base", fields: [{ name: "n", type: "number" }] });
        const paths: string[] = [];
        env.on("request", ({ data }) => {
          paths.push(data.path);
        });
        const rows = await env.collection("rows").createMany(Array.from({ length: 20 }, (_, n) => ({ n })));
        expect(rows.map((row) => row.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
        await new Promise((resolve) => setImmediate(resolve));
        expect(paths).toContain("/api/batch");
        expect(paths).not.toContain("/api/collections/rows/records");
      } finally {
        await env.close();
      }
    });

    it("a collection missing on a temporary server says the server is new and empty, and what to do", async () => {
      const env = openEnvWith(kind, { url: undefined });
      try {
        const error = (await Promise.resolve()
          .then(() => env.collection("posts").set("post00000000001", { title: "Hello" }))
          .catch((e: unknown) => e)) as Error;
        expect(error.name).toBe("NotFoundError");
        expect(error.message).toContain('collection "posts" not found');
        expect(error.message).toContain("new, empty embedded PocketBase");
        expect(error.message).toContain("env.createCollection()");
        expect(error.message).toContain("POCKETBASE_URL");
      } finally {
        await env.close();
      }
    });

    it("a server on a kept dir keeps PocketBase's own settings (batch off by default)", async () => {
      const dir = await mkdtemp(join(tmpdir(), "pocketmap-test-"));
      const env = openEnvWith(kind, { dir: join(dir, "pb_data") });
      try {
        expect((await env.send<Batch>("/api/settings")).batch.enabled).toBe(false);
      } finally {
        await env.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it("a script that never calls close() exits promptly and stops its server", async () => {
    const { stdout } = await run(process.execPath, [join(import.meta.dirname, "fixtures/no-close.ts")], {
      // A hang guard, not a speed check: a script that did not exit would be killed and fail here.
      timeout: 20_000,
      env: { ...process.env, POCKETBASE_URL: "" },
    });
    const url = stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await gone(url)).toBe(true);
  });
});
