// Embedded mode: with no URL anywhere, setup() starts a local PocketBase and stops it again.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { setup } from "../src/index.ts";
import { gone, reachable } from "./helpers.ts";

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
