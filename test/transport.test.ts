// Timeouts and retries: idempotent requests are retried, writes only when they never left.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { Transport } from "../src/async/transport.ts";
import { AbortError, InvalidInputError, NetworkError, setup, TimeoutError } from "../src/index.ts";
import { server, tripwire } from "./helpers.ts";

describe("transport", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function against(mode: "silent" | "drop", options: { timeout?: number; retries?: number } = {}) {
    const wire = await tripwire(mode);
    const env = setup({
      async: true,
      url: wire.url,
      timeout: options.timeout ?? 300,
      retries: options.retries ?? 2,
    });
    cleanups.push(
      () => env.close(),
      () => wire.close(),
    );
    return { wire, env };
  }

  it("times out a request that gets no answer, and retries it when it is a read", async () => {
    const { wire, env } = await against("silent", { timeout: 150, retries: 2 });
    const error = await env.posts!.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/within 150 ms/);
    expect(wire.connections).toBe(3);
  });

  it("never retries a write that may have reached the server", async () => {
    const { wire, env } = await against("silent", { timeout: 150, retries: 3 });
    await expect(env.posts!.create({ title: "once" })).rejects.toBeInstanceOf(TimeoutError);
    expect(wire.connections).toBe(1);
  });

  it("retries a read on a dropped connection, not a write", async () => {
    const { wire, env } = await against("drop", { retries: 2 });
    await expect(env.posts!.getOne("abc")).rejects.toBeInstanceOf(NetworkError);
    expect(wire.connections).toBe(3);
    await expect(env.posts!.update("abc", { title: "x" })).rejects.toBeInstanceOf(NetworkError);
    expect(wire.connections).toBe(4);
  });

  it("honours a per-call timeout and an abort signal", async () => {
    const { env } = await against("silent", { timeout: 10_000, retries: 0 });
    await expect(env.posts!.list({ timeout: 100 })).rejects.toBeInstanceOf(TimeoutError);
    const controller = new AbortController();
    const pending = env.posts!.list({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it("reports a request that got no answer (timeout, dropped connection, abort) as status 0", async () => {
    for (const mode of ["silent", "drop"] as const) {
      const { env } = await against(mode, { timeout: 100, retries: 0 });
      const statuses: number[] = [];
      env.on("request", ({ data }) => {
        statuses.push(data.status);
      });
      await env.posts!.list().catch(() => undefined);
      const controller = new AbortController();
      const pending = env.posts!.list({ signal: controller.signal }).catch(() => undefined);
      controller.abort();
      await pending;
      await new Promise((resolve) => setImmediate(resolve));
      expect(statuses).toEqual([0, 0]);
    }
  });

  it("retries a write whose connection was refused, since it never left", async () => {
    // Find a port, close it, and start listening on it only after the first attempt has failed.
    const { createServer } = await import("node:net");
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
    const port = (probe.address() as import("node:net").AddressInfo).port;
    await new Promise<void>((done) => probe.close(() => done()));
    let attempts = 0;
    const late = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    cleanups.push(() => new Promise<void>((done) => late.close(() => done())));
    // Retries to spare: on a loaded machine the listener may come up late.
    const env = setup({ async: true, url: `http://127.0.0.1:${port}`, retries: 8 });
    cleanups.push(() => env.close());
    setTimeout(() => late.listen(port, "127.0.0.1"), 120);
    // Refused attempts are retried; once the listener is up it drops the connection, which a write
    // must not retry: exactly one attempt reaches it.
    await expect(env.posts!.create({ title: "x" })).rejects.toBeInstanceOf(NetworkError);
    expect(attempts).toBe(1);
  });

  it("reports a failure on this side as what it is, never as a NetworkError, and sends nothing", async () => {
    const wire = await tripwire("drop");
    cleanups.push(() => wire.close());
    const transport = await Transport.open(wire.url, {
      timeout: 1000,
      retries: 3,
      retryDelay: 1,
      connections: 1,
      headers: {},
    });
    cleanups.push(() => transport.close());
    // undici refuses a header value with CR/LF before anything goes out.
    for (const method of ["GET", "POST"] as const) {
      const error = await transport
        .send(
          { method, path: "/api/health", body: method === "POST" ? "{}" : undefined },
          {
            headers: { "x-trace": "a\r\nb" },
          },
        )
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).not.toBeInstanceOf(NetworkError);
      expect((error as Error).message).toMatch(/could not be sent/);
    }
    expect(wire.connections).toBe(0);
    // A genuine network failure is still one (and a read is retried).
    await expect(transport.send({ method: "GET", path: "/api/health" })).rejects.toBeInstanceOf(NetworkError);
    expect(wire.connections).toBe(4);
  });

  it("the same from the environment: a bad header is InvalidInputError, not a retried NetworkError", async () => {
    const { wire, env } = await against("drop", { retries: 2 });
    const error = await env
      .posts!.list({ headers: { "x-trace": "a\nb" } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(wire.connections).toBe(0);
  });

  it("loads only the parts of undici it uses (not its index: fetch, WebSocket, caches, mocks)", async () => {
    // A fresh process: the test runner's own threads may have loaded all of undici.
    const script = `
      import { createRequire } from "node:module";
      const { setup } = await import(${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)});
      const env = setup({ async: true, url: process.env.T_URL, email: process.env.T_EMAIL, password: process.env.T_PASSWORD });
      const page = await env.collection("_superusers").list({ perPage: 1 });
      await env.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes("undici"));
      console.log(JSON.stringify({ total: page.totalItems, loaded }));`;
    const { url, email, password } = server();
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, T_URL: url, T_EMAIL: email, T_PASSWORD: password },
    });
    const { total, loaded } = JSON.parse(stdout) as { total: number; loaded: string[] };
    expect(total).toBeGreaterThan(0);
    const names = loaded.map((path) => path.replaceAll("\\", "/").replace(/^.*\/undici\//, ""));
    expect(names).toContain("lib/dispatcher/pool.js");
    expect(names).toContain("lib/api/api-request.js");
    expect(names).not.toContain("index.js");
    expect(names.some((name) => name.startsWith("lib/web/"))).toBe(false);
  });
});
