// What only the sync kind has: a worker thread, blocking calls, events delivered afterwards.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BadRequestError, NotFoundError, SyncWorkerError, setup } from "../src/index.ts";
import { crashWorkerForTests } from "../src/sync/worker-host.ts";
import { freshPosts, gone, reachable, server, superuserEnv, tripwire } from "./helpers.ts";

// Before the first sync call starts the worker, so that it honours the crash hook.
process.env.POCKETMAP_TEST_HOOKS = "1";
const run = promisify(execFile);

describe("the sync kind", () => {
  const admin = superuserEnv();
  const { url, email, password } = server();
  const env = setup({ url, email, password });
  afterAll(async () => {
    env.close();
    await admin.close();
  });

  it("returns values, not promises", async () => {
    const name = await freshPosts(admin, "sync");
    const record = env.collection(name).create({ title: "plain" });
    expect(record).not.toBeInstanceOf(Promise);
    expect(record.title).toBe("plain");
    expect(env.collection(name).get(record.id)?.title).toBe("plain");
    expect(env.collection(name).set(record.id, { title: "again" })).toBe(env.collection(name));
  });

  it("rebuilds errors as the same classes, with status, data and url", async () => {
    const name = await freshPosts(admin, "syncerr");
    let caught: unknown;
    try {
      env.collection(name).create({ email: "not-an-email" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BadRequestError);
    const error = caught as BadRequestError;
    expect(error.status).toBe(400);
    expect(error.data.email).toMatchObject({ code: "validation_is_email" });
    expect(error.url).toBe(`${url}/api/collections/${name}/records`);
    expect(error.method).toBe("POST");
    expect(() => env.collection(name).getOne("missing00000001")).toThrow(NotFoundError);
  });

  it("refuses an argument that cannot cross to the worker, and keeps working", async () => {
    const name = await freshPosts(admin, "syncclone");
    expect(() => env.collection(name).create({ title: "x", fn: () => 1 } as never)).toThrow(/cannot be sent/);
    expect(() => env.collection(name).list({ signal: AbortSignal.timeout(10) })).toThrow(/signal/);
    expect(env.collection(name).create({ title: "still fine" }).title).toBe("still fine");
  });

  it("delivers events on this thread once the call has returned and the thread is free", async () => {
    const name = await freshPosts(admin, "syncevents");
    const seen: unknown[] = [];
    const off = env.on("created", ({ data }) => {
      seen.push(data);
    });
    const record = env.collection(name).create({ title: "evented" });
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ collection: name, record }]);
    off();
  });

  it("forwards events of requests made while iterating, to a listener added midway", async () => {
    const name = await freshPosts(admin, "synciter");
    await admin.batch(
      Array.from({ length: 501 }, (_, n) => ({
        method: "POST" as const,
        url: `/api/collections/${name}/records`,
        body: { n },
      })),
    );
    const fresh = setup({ url, email, password });
    // The first chunk (500 records, one page) arrives before anyone listens.
    const records = fresh.collection(name).iterate({ pageSize: 500 });
    expect(records.next().done).toBe(false);
    const paths: string[] = [];
    fresh.on("request", ({ data }) => {
      paths.push(data.path);
    });
    expect([...records]).toHaveLength(500);
    await new Promise((resolve) => setImmediate(resolve));
    // The second page was fetched by a later chunk request, and its event came back with it.
    expect(paths).toEqual([`/api/collections/${name}/records`]);
    fresh.close();
  });

  it("survives a crashed worker: the caller gets an error, the next call a fresh worker", async () => {
    const name = await freshPosts(admin, "synccrash");
    env.collection(name).create({ title: "before" });
    const error = crashWorkerForTests(3);
    expect(error).toBeInstanceOf(SyncWorkerError);
    expect((error as Error).message).toMatch(/exited with code 3/);
    expect(env.collection(name).count()).toBe(1);
    expect(env.collection(name).create({ title: "after" }).title).toBe("after");
  });

  it("stops at a closed environment and frees what it held (Symbol.dispose)", () => {
    const local = setup({ url, email, password });
    expect(local.health().code).toBe(200);
    local[Symbol.dispose]();
    expect(() => local.health()).toThrow(/closed/);
    local.close();
  });

  it("a script that never calls close() exits, and takes its embedded server with it", async () => {
    const { stdout } = await run(process.execPath, [join(import.meta.dirname, "fixtures/sync-no-close.ts")], {
      // A hang guard, not a speed check.
      timeout: 20_000,
      env: { ...process.env, POCKETBASE_URL: "" },
    });
    const [embeddedUrl, status] = stdout.trim().split("\n");
    expect(status).toBe("200");
    expect(embeddedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await gone(embeddedUrl!)).toBe(true);
  });

  it("fails a call that outlasts the sync timeout, and serves the next one", async () => {
    const wire = await tripwire("silent");
    try {
      const { stdout } = await run(
        process.execPath,
        [join(import.meta.dirname, "fixtures/sync-timeout.ts")],
        {
          timeout: 30_000,
          env: { ...process.env, POCKETMAP_SYNC_TIMEOUT: "3000", SILENT_URL: wire.url, POCKETBASE_URL: url },
        },
      );
      const result = JSON.parse(stdout.trim()) as { first: string; next: number };
      expect(result.first).toMatch(/^SyncWorkerError: pocketmap: the sync worker failed/);
      expect(result.next).toBe(200);
      expect(wire.connections).toBe(1);
    } finally {
      await wire.close();
    }
  });

  it("closes an embedded server on close()", async () => {
    const embedded = setup({ url: undefined });
    const embeddedUrl = embedded.url();
    expect(await reachable(embeddedUrl)).toBe(true);
    embedded.close();
    expect(await gone(embeddedUrl)).toBe(true);
  });
});

describe("the sync kind in embedded mode", () => {
  it("after a worker crash, stops the dead worker's server and serves from a new one", async () => {
    const embedded = setup({ url: undefined });
    const before = embedded.url();
    expect(crashWorkerForTests(5)).toBeInstanceOf(SyncWorkerError);
    expect(embedded.health().code).toBe(200);
    const after = embedded.url();
    expect(after).not.toBe(before);
    expect(await gone(before)).toBe(true);
    embedded.close();
    expect(await gone(after)).toBe(true);
  });

  it("close() after a crash still stops the server", async () => {
    const embedded = setup({ url: undefined });
    const url = embedded.url();
    crashWorkerForTests(6);
    embedded.close();
    expect(await gone(url)).toBe(true);
  });
});
