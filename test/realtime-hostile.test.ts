// Realtime against a hostile server (test/hostile-sse.ts), on both kinds: behaviour PocketBase never
// shows, which pocketmap must survive (issue 16, items 5, 6 and 8): a server that drops every stream
// as soon as it is live, an event line that never ends, a malformed PB_CONNECT, event data that is
// not a record event.
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AsyncEnvironment,
  type BaseRecord,
  type EnvironmentEvents,
  PocketBaseError,
  type RecordEvent,
} from "../src/index.ts";
import { until } from "./helpers.ts";
import { type HostileMode, hostileSse } from "./hostile-sse.ts";
import { failure, KINDS, openEnvWith, type TestKind } from "./kinds.ts";

type ErrorEvent = EnvironmentEvents["error"];

describe.each(KINDS)("realtime against a hostile server (%s kind)", (kind: TestKind) => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A guest environment of this kind on a hostile server, and the `error` events it emits. */
  async function open(mode: HostileMode, options: { bytes?: number } = {}) {
    const hostile = await hostileSse(mode, options);
    cleanup.push(() => hostile.close());
    const env = openEnvWith(kind, { url: hostile.url, timeout: 10_000 });
    cleanup.push(() => env.close());
    const errors: ErrorEvent[] = [];
    env.on("error", ({ data }) => {
      errors.push(data);
    });
    return { hostile, env: env as AsyncEnvironment, errors };
  }

  it("backs off from a server that ends every stream once it is live: a bounded count of connections", async () => {
    const { hostile, env } = await open("end");
    await env.collection("posts").subscribe("*", () => {});
    await sleep(3_000);
    const { connections } = await hostile.stats();
    // With no delay before a retry, and the back-off reset by every live stream, this was dozens a second.
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(connections).toBeLessThanOrEqual(10);
    console.log(`[${kind}] connections in 3 s to a server that ends each stream: ${connections}`);
  });

  it("caps the size of one event: an endless line is reported and dropped, memory stays bounded", async () => {
    const before = process.env.POCKETMAP_REALTIME_MAX_EVENT;
    process.env.POCKETMAP_REALTIME_MAX_EVENT = String(1024 * 1024);
    const total = 128 * 1024 * 1024;
    let opened: Awaited<ReturnType<typeof open>>;
    try {
      opened = await open("endless", { bytes: total });
    } finally {
      if (before === undefined) delete process.env.POCKETMAP_REALTIME_MAX_EVENT;
      else process.env.POCKETMAP_REALTIME_MAX_EVENT = before;
    }
    const { hostile, env, errors } = opened;
    const heard: unknown[] = [];
    (globalThis as { gc?: () => void }).gc?.();
    const rss = process.memoryUsage.rss();
    let peak = rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    try {
      await env.collection("posts").subscribe("*", (event) => heard.push(event));
      // Until the event was refused, or (with no cap) the whole line was sent.
      expect(
        await until(async () => errors.length > 0 || (await hostile.stats()).bytes >= total, 120_000),
      ).toBe(true);
      await sleep(200);
    } finally {
      clearInterval(sampler);
    }
    const grown = (peak - rss) / 2 ** 20;
    console.log(`[${kind}] RSS growth while a 128 MB line streamed (cap 1 MB): ${grown.toFixed(1)} MB`);
    expect(errors[0]?.error).toBeInstanceOf(PocketBaseError);
    expect(errors[0]?.error.message).toMatch(/exceeded 1048576 characters/);
    expect(heard).toEqual([]);
    expect((await hostile.stats()).bytes).toBeLessThan(total);
    expect(grown).toBeLessThan(64);
  });

  it("fails a subscribe on a malformed PB_CONNECT with a PocketBaseError, and reports it", async () => {
    const { env, errors } = await open("malformed");
    const error = await failure(() => env.collection("posts").subscribe("*", () => {}));
    expect(error).toBeInstanceOf(PocketBaseError);
    expect(error.name).toBe("PocketBaseError");
    expect(error.message).toMatch(/PB_CONNECT/);
    expect(await until(() => errors.length > 0)).toBe(true);
    expect(errors[0]!.error).toBeInstanceOf(PocketBaseError);
  });

  it("never delivers event data that is not a record event as a change: it is reported, the stream goes on", async () => {
    const { env, errors } = await open("not-json");
    const heard: RecordEvent<BaseRecord>[] = [];
    const raw: unknown[] = [];
    await env.collection("posts").subscribe("*", (event) => heard.push(event));
    await env.subscribe("custom", (data) => raw.push(data));
    expect(await until(() => heard.length > 0 && raw.length >= 3)).toBe(true);
    await sleep(100);
    expect(heard).toEqual([{ action: "create", record: { id: "hostile1", title: "valid" } }]);
    // A raw topic's callback gets each message's data: JSON parsed, other text as it came.
    expect(raw).toEqual(["this is not JSON", { hello: "world" }, heard[0]]);
    expect(errors.map((event) => event.topic)).toEqual(["posts/*", "posts/*"]);
    for (const { error } of errors) expect(error).toBeInstanceOf(PocketBaseError);
    expect(errors.map((event) => event.error.message)).toEqual([
      expect.stringMatching(/is not JSON/),
      expect.stringMatching(/is not \{ action, record \}/),
    ]);
  });
});
