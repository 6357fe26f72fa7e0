// What only the sync kind has: a worker thread, blocking calls, events delivered afterwards.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BadRequestError, NotFoundError, SyncWorkerError, setup } from "../src/index.ts";
import { crashWorkerForTests, throwInWorkerForTests, workerThreadForTests } from "../src/sync/worker-host.ts";
import {
  ended,
  eventually,
  fixtureWithServer,
  freshPosts,
  gone,
  pocketBaseAt,
  reachable,
  server,
  superuserEnv,
  tripwire,
} from "./helpers.ts";

// Before the first sync call starts the worker, so that it honours the crash hook.
process.env.POCKETMAP_TEST_HOOKS = "1";
const run = promisify(execFile);
const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the sync loop fixture against an embedded server, sends `signal`, reports what was left. */
async function signalledLoop(signal: NodeJS.Signals) {
  const { child, exited, url } = await fixtureWithServer(fixture("sync-loop.ts"));
  const server = pocketBaseAt(url);
  // Let it loop a little: the signal must arrive while calls are blocking.
  await sleep(200);
  child.kill(signal);
  const status = await Promise.race([exited, sleep(10_000).then(() => "still running" as const)]);
  if (status === "still running") child.kill("SIGKILL");
  return { url, server, status };
}

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
    expect(() => env.collection(name).create({ title: "x", fn: () => 1 } as never)).toThrow(
      /data\.fn is a function/,
    );
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
      Array.from({ length: 1200 }, (_, n) => ({
        method: "POST" as const,
        url: `/api/collections/${name}/records`,
        body: { n },
      })),
    );
    const fresh = setup({ url, email, password });
    // The first chunk (500 records) arrives before anyone listens. Pages of 100 are read two at a
    // time (199 new records a pair), so records 598 on are asked for while later chunks are taken.
    const records = fresh.collection(name).iterate({ pageSize: 100 });
    expect(records.next().done).toBe(false);
    const paths: string[] = [];
    fresh.on("request", ({ data }) => {
      paths.push(data.path);
    });
    expect([...records]).toHaveLength(1199);
    await new Promise((resolve) => setImmediate(resolve));
    // The later pages were fetched by later chunk requests, and their events came back with them.
    expect(paths.length).toBeGreaterThan(0);
    expect(new Set(paths)).toEqual(new Set([`/api/collections/${name}/records`]));
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

  it("bounds a call by its own timeout: a silent server gives a TimeoutError, not a SyncWorkerError", async () => {
    const wire = await tripwire("silent");
    try {
      const { stdout } = await run(process.execPath, [fixture("sync-timeout.ts")], {
        timeout: 30_000,
        // The old fixed limit, set below the call's timeout: it must no longer cut the call short.
        env: { ...process.env, POCKETMAP_SYNC_TIMEOUT: "300", SILENT_URL: wire.url, POCKETBASE_URL: url },
      });
      const result = JSON.parse(stdout.trim()) as { first: string; next: number };
      expect(result.first).toMatch(/^TimeoutError: .*no response within 1000 ms/);
      expect(result.next).toBe(200);
      expect(wire.connections).toBe(1);
    } finally {
      await wire.close();
    }
  });

  it("notices a worker that died between calls, and the next call runs on a fresh one", async () => {
    const name = await freshPosts(admin, "syncdead");
    expect(env.collection(name).count()).toBe(0);
    const before = workerThreadForTests();
    expect(crashWorkerForTests(9, true)).toMatchObject({ ok: true }); // it answers, then exits
    // This thread is free: the worker's 'exit' is seen, and no worker is current any more.
    expect(await eventually(() => workerThreadForTests() === undefined)).toBe(true);
    expect(env.collection(name).create({ title: "after the exit" }).title).toBe("after the exit");
    expect(workerThreadForTests()).not.toBe(before);
  });

  it("notices a worker that died between calls even when this thread never yielded", () => {
    expect(env.health().code).toBe(200);
    const before = workerThreadForTests();
    expect(crashWorkerForTests(9, true)).toMatchObject({ ok: true });
    // Block without yielding while the worker exits: its 'exit' event cannot run here.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    expect(workerThreadForTests()).toBe(before);
    expect(env.health().code).toBe(200);
    expect(workerThreadForTests()).not.toBe(before);
  });

  it("keeps the class of TypeError, RangeError and the other built-in errors raised in the worker", () => {
    for (const ErrorClass of [TypeError, RangeError, SyntaxError, ReferenceError, URIError, EvalError]) {
      const error = throwInWorkerForTests(ErrorClass.name);
      expect(error).toBeInstanceOf(ErrorClass);
      expect((error as Error).name).toBe(ErrorClass.name);
      expect((error as Error).message).toBe(`raised in the worker as ${ErrorClass.name}`);
    }
  });

  it("supports using and await using on Node 24 (both kinds)", async () => {
    const { stdout } = await run(process.execPath, [fixture("using.ts")], {
      timeout: 30_000,
      env: { ...process.env, POCKETBASE_URL: url },
    });
    expect(stdout.trim().split("\n")).toEqual([
      "sync 200",
      expect.stringMatching(/^sync pocketmap: this environment is closed/),
      "async 200",
    ]);
  });

  it("works when imported from node -e (the worker starts whatever the host)", async () => {
    const index = pathToFileURL(join(import.meta.dirname, "../src/index.ts")).href;
    const code = `import(${JSON.stringify(index)}).then((m) => { const env = m.setup({ url: ${JSON.stringify(url)} }); console.log(env.health().code); })`;
    const { stdout } = await run(process.execPath, ["-e", code], {
      timeout: 30_000, // a hang guard: it used to block for 120 s
      cwd: import.meta.dirname,
    });
    expect(stdout.trim()).toBe("200");
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

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} ends a sync script that blocks in calls, and stops its server`, async () => {
      const { url, server, status } = await signalledLoop(signal);
      expect(status).toEqual({ code: null, signal });
      expect(server).toBeDefined();
      expect(await eventually(() => ended(server!.pid))).toBe(true);
      expect(await eventually(() => !existsSync(server!.dir))).toBe(true);
      expect(await gone(url)).toBe(true);
    });
  }

  it("SIGKILL of a sync script leaves no server and no temporary directory behind", async () => {
    const { server, status } = await signalledLoop("SIGKILL");
    expect(status).toEqual({ code: null, signal: "SIGKILL" });
    expect(await eventually(() => ended(server!.pid))).toBe(true);
    expect(await eventually(() => !existsSync(server!.dir))).toBe(true);
  });

  it("close() after a crash still stops the server", async () => {
    const embedded = setup({ url: undefined });
    const url = embedded.url();
    crashWorkerForTests(6);
    embedded.close();
    expect(await gone(url)).toBe(true);
  });
});
