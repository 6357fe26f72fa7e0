// Realtime latency: from a write to its event arriving in a subscriber's callback, for pocketmap's
// async kind, its sync kind (the callback runs on the main thread, delivered by the push channel), and
// the official `pocketbase` SDK given undici's EventSource (assigned to the global here, in this
// process only: pocketmap itself needs none). One embedded PocketBase; one writer (raw undici) for
// every client; clients take turns in rounds, only the measured one subscribed at a time.
//
//   npm run bench                         runs bench/run.ts, then this
//   node bench/realtime.ts                this alone (~30 s); BENCH_QUICK=1 for a ~10 s smoke run
//   BENCH_NAME=<name> node bench/realtime.ts   writes bench/results/<name>.json
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import PocketBase from "pocketbase";
import { EventSource, Pool } from "undici";
import { setup } from "../src/index.ts";
import { startEmbedded } from "../src/server/embedded.ts";

const QUICK = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true";
const ROUNDS = QUICK ? 3 : 8;
const PER_ROUND = QUICK ? 20 : 50;
const WARMUP = 10;
const COLLECTION = "live";

interface Subscriber {
  name: string;
  /** Subscribes to every record of the collection; `heard(title)` runs in the callback. */
  subscribe(heard: (title: string) => void): Promise<() => unknown>;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  return {
    n: sorted.length,
    medianMs: round3(at(0.5)),
    p95Ms: round3(at(0.95)),
    minMs: round3(sorted[0]!),
    maxMs: round3(sorted.at(-1)!),
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const name = process.env.BENCH_NAME || `realtime-${startedAt.toISOString().slice(0, 10)}`;
  // The SDK needs a global EventSource in Node; undici's, in this process only.
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
  const server = await startEmbedded();
  const { url, email, password } = server;
  const writer = new Pool(url, { connections: 1 });
  const closers: (() => unknown)[] = [() => writer.close(), () => server.stop()];
  try {
    console.log(`PocketBase ${server.version} at ${url}${QUICK ? " (quick run)" : ""}`);
    const admin = setup({ async: true, url, email, password });
    closers.unshift(() => admin.close());
    const rules = { listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "" };
    await admin.createCollection({
      name: COLLECTION,
      type: "base",
      ...rules,
      fields: [{ name: "title", type: "text" }],
    });

    const asyncEnv = setup({ async: true, url, email, password });
    const syncEnv = setup({ url, email, password });
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    await pb.collection("_superusers").authWithPassword(email, password);
    closers.unshift(
      () => asyncEnv.close(),
      () => syncEnv.close(),
      () => pb.realtime.unsubscribe(),
    );
    const subscribers: Subscriber[] = [
      {
        name: "pocketmap",
        subscribe: (heard) =>
          asyncEnv.collection(COLLECTION).subscribe("*", ({ record }) => heard(String(record.title))),
      },
      {
        name: "pocketmap-sync",
        subscribe: async (heard) =>
          syncEnv.collection(COLLECTION).subscribe("*", ({ record }) => heard(String(record.title))),
      },
      {
        name: "sdk (undici EventSource)",
        subscribe: (heard) =>
          pb.collection(COLLECTION).subscribe("*", (event) => heard(String(event.record.title))),
      },
    ];

    let sequence = 0;
    /** Writes one record and resolves to the ms until the subscriber heard it. */
    async function sample(waiting: Map<string, (at: number) => void>): Promise<number> {
      const title = `w${sequence++}`;
      const arrived = new Promise<number>((resolve) => waiting.set(title, resolve));
      const started = performance.now();
      const response = await writer.request({
        method: "POST",
        path: `/api/collections/${COLLECTION}/records`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title }),
      });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`bench: the write failed with ${response.statusCode}`);
      const at = await Promise.race([
        arrived,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error(`bench: event ${title} never arrived`)), 10_000).unref(),
        ),
      ]);
      return at - started;
    }

    const samples = new Map<string, number[]>(subscribers.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // A different order each round, so that no client always runs first.
      const order = [...subscribers].sort(() => Math.random() - 0.5);
      for (const subscriber of order) {
        const waiting = new Map<string, (at: number) => void>();
        const unsubscribe = await subscriber.subscribe((title) => {
          const at = performance.now();
          waiting.get(title)?.(at);
          waiting.delete(title);
        });
        for (let i = 0; i < (round === 0 ? WARMUP : 0); i++) await sample(waiting);
        for (let i = 0; i < PER_ROUND; i++) samples.get(subscriber.name)!.push(await sample(waiting));
        await unsubscribe();
      }
    }

    const rows = subscribers.map((subscriber) => ({
      client: subscriber.name,
      ...summary(samples.get(subscriber.name)!),
    }));
    const byName = Object.fromEntries(rows.map((row) => [row.client, row]));
    // Estimated as the difference of the medians: the sync kind's path is the async kind's plus the
    // push from the worker to the idle main thread. (p95s are too noisy to subtract.)
    const pushIdle = {
      medianMs: Math.round((byName["pocketmap-sync"]!.medianMs - byName.pocketmap!.medianMs) * 1000) / 1000,
    };
    console.log("\nWrite to event (ms): a POST by a separate writer, until the subscriber's callback runs\n");
    console.log("| client | n | median | p95 | min | max |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const row of rows) {
      console.log(
        `| ${row.client} | ${row.n} | ${row.medianMs.toFixed(3)} | ${row.p95Ms.toFixed(3)} | ${row.minMs.toFixed(3)} | ${row.maxMs.toFixed(3)} |`,
      );
    }
    console.log(
      `\nSync push latency while the main thread is idle (sync minus async, same write and server): median ${pushIdle.medianMs.toFixed(3)} ms`,
    );

    const result = {
      name,
      date: startedAt.toISOString(),
      quick: QUICK,
      node: process.version,
      pocketbase: server.version,
      sdk: (JSON.parse(readFileSync("node_modules/pocketbase/package.json", "utf8")) as { version: string })
        .version,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "", platform: process.platform },
      rounds: ROUNDS,
      perRound: PER_ROUND,
      writeToEvent: rows,
      syncPushIdle: pushIdle,
    };
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nWrote bench/results/${name}.json`);
  } finally {
    for (const close of closers) await Promise.resolve(close()).catch(() => {});
  }
}

await main();
