// Live replication between two real servers, in both kinds: 50 changes each seen on the target (with
// the latency reported), a realtime stream cut by a proxy, and the source SIGKILLed and restarted on
// the same port and data; changes before, during and after: nothing is lost.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, type ReplicationProgress, setup } from "../src/index.ts";
import { installPocketBase } from "../src/server/binary.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { notesModel } from "./collections.ts";
import { privateServer, reachable, server, until } from "./helpers.ts";
import { KINDS, openEnvWith } from "./kinds.ts";

const side = (s: { url: string; email: string; password: string }) => ({
  url: s.url,
  email: s.email,
  password: s.password,
});

/** Every record of a collection on a server, ids and values, without the target's own timestamps. */
async function contents(env: AsyncEnvironment, name: string) {
  const all = await env.collection(name).getFullList({ sort: "id", fields: "id,title,n" });
  // In one key order: PocketBase's answer to `fields` has none.
  return all.map(({ id, title, n }) => ({ id, title, n }));
}

/** Whether both sides hold the same records now; with `say`, what differs. */
async function same(a: AsyncEnvironment, b: AsyncEnvironment, name: string, say = false) {
  const [x, y] = [await contents(a, name), await contents(b, name)];
  if (say) {
    const ys = new Map(y.map((r) => [r.id, JSON.stringify(r)]));
    const xs = new Map(x.map((r) => [r.id, JSON.stringify(r)]));
    console.log(
      "only or different on the source:",
      x.filter((r) => ys.get(r.id) !== JSON.stringify(r)),
    );
    console.log(
      "only or different on the target:",
      y.filter((r) => xs.get(r.id) !== JSON.stringify(r)),
    );
  }
  return JSON.stringify(x) === JSON.stringify(y);
}

/** A TCP proxy (test/fixtures/stream-cutter.ts) in front of `target` that can drop realtime streams. */
async function streamCutter(target: string) {
  const worker = new Worker(new URL("./fixtures/stream-cutter.ts", import.meta.url), {
    workerData: { target },
  });
  const port = await new Promise<number>((resolve) =>
    worker.once("message", (m: { port: number }) => resolve(m.port)),
  );
  let next = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () =>
      new Promise<number>((resolve) => {
        const id = next++;
        const listener = (m: { cut: number; count: number }) => {
          if (m.cut !== id) return;
          worker.off("message", listener);
          resolve(m.count);
        };
        worker.on("message", listener);
        worker.postMessage({ cut: id });
      }),
    close: () => worker.terminate(),
  };
}

describe.each(KINDS)("live replication (%s kind)", (kind) => {
  let dir: string;
  let source: EmbeddedServer;
  let restarted: ChildProcess | undefined;
  let target: EmbeddedServer;
  let proxy: Awaited<ReturnType<typeof streamCutter>>;
  let sourceEnv: AsyncEnvironment;
  let targetEnv: AsyncEnvironment;
  const name = `live_${kind}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pocketmap-live-"));
    const bin = await installPocketBase(server().version);
    // pb_data inside a directory of its own: PocketBase writes pb_migrations beside it.
    source = await startEmbedded({ bin, dir: join(dir, "pb_data"), quiet: true });
    target = await privateServer();
    proxy = await streamCutter(source.url);
    sourceEnv = setup({ async: true, ...side(source) });
    targetEnv = setup({ async: true, ...side(target) });
    await sourceEnv.createCollection(notesModel(name));
    await sourceEnv
      .collection(name)
      .createMany(Array.from({ length: 100 }, (_, n) => ({ title: "before", n })));
  }, 120_000);

  afterAll(async () => {
    await sourceEnv?.close();
    await targetEnv?.close();
    await proxy?.close();
    restarted?.kill("SIGKILL");
    await source?.stop().catch(() => {});
    await target?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("follows 50 changes, a cut stream and a source restart, and loses nothing", async () => {
    const env = openEnvWith(kind, side(target));
    const viaProxy = { ...side(source), url: proxy.url };
    const live = env.replicate(viaProxy, side(target), { collections: [name], live: true }) as unknown as {
      on(event: string, fn: (data: never) => void): () => void;
      cancel(): unknown;
      done: Promise<unknown>;
    };
    let paused = 0;
    live.on("paused", () => paused++);
    // Said, for a failure's story; the replication retries them itself.
    live.on("error", (error: Error) => console.log(`replication error (${kind} kind): ${error.message}`));
    const seen: number[] = [];
    live.on("progress", (p: ReplicationProgress) => {
      if (p.phase === "live" && p.latency !== undefined) seen.push(p.latency);
    });
    try {
      expect(await until(() => paused > 0, 60_000)).toBe(true);
      expect(await contents(targetEnv, name)).toEqual(await contents(sourceEnv, name));

      // 50 changes, one after another, each seen on the target.
      const records = await sourceEnv.collection(name).getFullList({ sort: "n" });
      for (let i = 0; i < 50; i++) {
        const id = records[i]!.id;
        await sourceEnv.collection(name).update(id, { title: `change ${i}` });
        expect(
          await until(
            async () => (await targetEnv.collection(name).getOne(id)).title === `change ${i}`,
            30_000,
          ),
        ).toBe(true);
      }
      expect(await until(() => seen.length >= 50, 10_000)).toBe(true);
      const sorted = [...seen].sort((a, b) => a - b);
      console.log(
        `live latency (${kind} kind): median ${sorted[Math.floor(sorted.length / 2)]} ms over ${seen.length} changes`,
      );

      // A stream cut by a proxy: changes while it is down arrive by the catch-up after the reconnect.
      expect(await proxy.cut()).toBeGreaterThan(0);
      await sourceEnv.collection(name).create({ title: "during the cut", n: 1000 });
      await sourceEnv.collection(name).delete(records[60]!.id);
      if (!(await until(() => same(sourceEnv, targetEnv, name), 60_000)))
        await same(sourceEnv, targetEnv, name, true);
      expect(await same(sourceEnv, targetEnv, name)).toBe(true);

      // The source SIGKILLed and restarted on the same port and data, with changes before and after.
      await sourceEnv.collection(name).create({ title: "before the kill", n: 2000 });
      process.kill(source.pid, "SIGKILL");
      expect(await until(async () => !(await reachable(source.url)), 20_000)).toBe(true);
      const port = new URL(source.url).port;
      restarted = spawn(
        await installPocketBase(server().version),
        ["serve", `--http=127.0.0.1:${port}`, `--dir=${join(dir, "pb_data")}`],
        {
          stdio: "ignore",
        },
      );
      expect(await until(() => reachable(source.url), 30_000)).toBe(true);
      await sourceEnv.collection(name).create({ title: "after the restart", n: 3000 });
      await sourceEnv.collection(name).delete(records[61]!.id);
      if (!(await until(() => same(sourceEnv, targetEnv, name), 90_000)))
        await same(sourceEnv, targetEnv, name, true);
      expect(await same(sourceEnv, targetEnv, name)).toBe(true);
    } finally {
      await live.cancel();
      await env.close();
    }
  }, 300_000);
});
