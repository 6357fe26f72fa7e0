// Replication against the best hand-written copy with the official SDK (issue 18, "Performance"), two
// embedded PocketBase servers, in one run:
//
//   1. one-shot copy of BENCH_ROWS (100,000) records (title, n, flag, meta json) into an empty target:
//      `env.replicate()` against the SDK's getFullList() then createBatch() in chunks of the target's
//      batch.maxRequests (PocketBase's default, 50, on both), schema import included on both sides;
//      they take turns, BENCH_COPIES (2) runs each, medians (goal: ratio ≤ 1.0);
//   2. heap: during a replicate of half the records and of all of them, the retained heap (heapUsed
//      right after a full GC, every 250 ms: what the run holds, not garbage awaiting collection) and
//      the peak heapUsed sampled every 20 ms without forcing GC (goal: retained flat, 100k ÷ 50k ≤ 1.2);
//   3. live: BENCH_CHANGES (200) updates on the source, 20 ms apart, with a live replication running:
//      the median latency from the source's `updated` to the write on the target (goal: ≤ 50 ms).
//
// No assertion: the goals are printed and saved, met or not.
//
//   node --expose-gc bench/replication.ts      writes bench/results/replication-<yyyy-mm-dd>.json
//   BENCH_QUICK=1 node bench/replication.ts    smoke run (10,000 rows, 1 copy each, 50 changes)
import { mkdirSync, writeFileSync } from "node:fs";
import PocketBase from "pocketbase";
import { type AsyncEnvironment, type ReplicationProgress, setup } from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";

const QUICK = process.env.BENCH_QUICK === "1";
/** BENCH_ONLY=heap: the heap part alone. */
const ONLY = process.env.BENCH_ONLY;
const ROWS = Number(process.env.BENCH_ROWS || (QUICK ? 10_000 : 100_000));
const COPIES = Number(process.env.BENCH_COPIES || (QUICK ? 1 : 2));
const CHANGES = Number(process.env.BENCH_CHANGES || (QUICK ? 50 : 200));
const MAX_REQUESTS = 50;
const GOALS = { copy: 1.0, heap: 1.2, latency: 50 } as const;

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const side = (s: EmbeddedServer) => ({ url: s.url, email: s.email, password: s.password });
const gc = (globalThis as { gc?: () => void }).gc;

const FIELDS = [
  { name: "title", type: "text" },
  { name: "n", type: "number" },
  { name: "flag", type: "bool" },
  { name: "meta", type: "json" },
  { name: "created", type: "autodate", onCreate: true, onUpdate: false },
  { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
];

async function seed(env: AsyncEnvironment, name: string, rows: number): Promise<void> {
  await env.createCollection({ name, type: "base", fields: FIELDS });
  for (let from = 0; from < rows; from += 10_000) {
    const docs = Array.from({ length: Math.min(10_000, rows - from) }, (_, i) => ({
      title: `item ${from + i}`,
      n: from + i,
      flag: (from + i) % 2 === 0,
      meta: { i: from + i, tags: ["a", "b"] },
    }));
    await env.collection(name).createMany(docs);
  }
}

/** Empties the target: the copied collection and replication's checkpoints go. */
async function wipe(target: AsyncEnvironment, name: string): Promise<void> {
  await target.delete(name);
  await target.delete("pocketmap_replication");
}

/** The best hand-written copy: the schema, getFullList, then createBatch in chunks of maxRequests. */
async function sdkCopy(source: EmbeddedServer, target: EmbeddedServer, name: string): Promise<number> {
  const started = performance.now();
  const from = new PocketBase(source.url);
  const to = new PocketBase(target.url);
  from.autoCancellation(false);
  to.autoCancellation(false);
  await from.collection("_superusers").authWithPassword(source.email, source.password);
  await to.collection("_superusers").authWithPassword(target.email, target.password);
  const model = await from.collections.getOne(name);
  await to.collections.import([model], false);
  const max = (await to.settings.getAll()).batch.maxRequests;
  const records = await from.collection(name).getFullList({ batch: 1000 });
  for (let i = 0; i < records.length; i += max) {
    const batch = to.createBatch();
    for (const { collectionId: _i, collectionName: _n, created: _c, updated: _u, ...doc } of records.slice(
      i,
      i + max,
    )) {
      batch.collection(name).create(doc);
    }
    await batch.send();
  }
  return performance.now() - started;
}

/**
 * env.replicate() of one collection; its time, the peak heap sampled during it, and with `retained`
 * the most heap it held after a full GC (the forced GCs slow it: not for the timed copies).
 */
async function pocketmapCopy(
  host: AsyncEnvironment,
  source: EmbeddedServer,
  target: EmbeddedServer,
  name: string,
  retained = false,
) {
  gc?.();
  let peak = process.memoryUsage().heapUsed;
  let held = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  const collector = retained
    ? setInterval(() => {
        gc?.();
        held = Math.max(held, process.memoryUsage().heapUsed);
      }, 250)
    : undefined;
  const started = performance.now();
  const summary = await host.replicate(side(source), side(target), { collections: [name] });
  const ms = performance.now() - started;
  clearInterval(sampler);
  clearInterval(collector);
  return { ms, peak, held, written: summary.written };
}

const [source, target] = await Promise.all([startEmbedded(), startEmbedded()]);
const srcEnv = setup({ async: true, ...side(source) });
const dstEnv = setup({ async: true, ...side(target) });
try {
  for (const env of [srcEnv, dstEnv]) {
    await env.send("/api/settings", {
      method: "PATCH",
      body: { batch: { enabled: true, maxRequests: MAX_REQUESTS } },
    });
  }
  console.log(`seeding ${ROWS} + ${ROWS / 2} records…`);
  await seed(srcEnv, "items", ROWS);
  await seed(srcEnv, "half", ROWS / 2);

  // 1. One-shot copy, taking turns.
  const times = { pocketmap: [] as number[], sdk: [] as number[] };
  for (let run = 0; run < (ONLY === "heap" ? 0 : COPIES); run++) {
    await wipe(dstEnv, "items");
    const p = await pocketmapCopy(dstEnv, source, target, "items");
    if (p.written !== ROWS) throw new Error(`replicate wrote ${p.written} of ${ROWS}`);
    times.pocketmap.push(p.ms);
    await wipe(dstEnv, "items");
    times.sdk.push(await sdkCopy(source, target, "items"));
    if ((await dstEnv.collection("items").count()) !== ROWS) throw new Error("the SDK copy is short");
    console.log(
      `copy ${run + 1}: pocketmap ${Math.round(times.pocketmap.at(-1)!)} ms, sdk ${Math.round(times.sdk.at(-1)!)} ms`,
    );
  }
  const copyRatio = ONLY === "heap" ? 0 : median(times.pocketmap) / median(times.sdk);

  // 2. Heap at half and all of the records.
  await wipe(dstEnv, "half");
  const half = await pocketmapCopy(dstEnv, source, target, "half", true);
  await wipe(dstEnv, "items");
  const all = await pocketmapCopy(dstEnv, source, target, "items", true);
  const heapRatio = all.held / half.held;

  // 3. Live latency.
  if (ONLY === "heap") {
    console.log(JSON.stringify({ half, all }, null, 2));
    process.exit(0);
  }
  const live = dstEnv.replicate(side(source), side(target), { collections: ["items"], live: true });
  const latencies: number[] = [];
  live.on("progress", (p: ReplicationProgress) => {
    if (p.phase === "live" && p.latency !== undefined) latencies.push(p.latency);
  });
  await new Promise((resolve) => live.on("paused", () => resolve(undefined)));
  const ids = (await srcEnv.collection("items").list({ perPage: CHANGES, fields: "id", sort: "n" })).items;
  for (let i = 0; i < CHANGES; i++) {
    await srcEnv.collection("items").update(ids[i]!.id, { title: `live ${i}` });
    await sleep(20);
  }
  for (let waited = 0; latencies.length < CHANGES && waited < 10_000; waited += 50) await sleep(50);
  await live.cancel();
  const latency = median(latencies);

  const result = {
    date: new Date().toISOString(),
    pocketbase: source.version,
    rows: ROWS,
    copies: COPIES,
    copy: {
      pocketmapMs: round(median(times.pocketmap), 0),
      sdkMs: round(median(times.sdk), 0),
      ratio: round(copyRatio),
    },
    heap: {
      retainedHalfMB: round(half.held / 2 ** 20, 1),
      retainedAllMB: round(all.held / 2 ** 20, 1),
      ratio: round(heapRatio),
      peakHalfMB: round(half.peak / 2 ** 20, 1),
      peakAllMB: round(all.peak / 2 ** 20, 1),
      gc: gc !== undefined,
    },
    live: {
      changes: CHANGES,
      seen: latencies.length,
      medianMs: latency,
      p95Ms: [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.95)],
    },
    goals: {
      copy: { goal: `≤ ${GOALS.copy}× the SDK`, met: copyRatio <= GOALS.copy },
      heap: {
        goal: `retained heap, ${ROWS} ÷ ${ROWS / 2} records ≤ ${GOALS.heap}×`,
        met: heapRatio <= GOALS.heap,
      },
      latency: { goal: `median ≤ ${GOALS.latency} ms`, met: latency <= GOALS.latency },
    },
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(new URL("results/", import.meta.url), { recursive: true });
  const file = new URL(
    `results/replication-${result.date.slice(0, 10)}${QUICK ? "-quick" : ""}.json`,
    import.meta.url,
  );
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${file.pathname}`);
} finally {
  await srcEnv.close();
  await dstEnv.close();
  await Promise.all([source.stop(), target.stop()]);
}
