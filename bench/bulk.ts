// Bulk jobs (issue 9): createMany of 10,000 records against the official SDK's one-by-one create loop
// and its createBatch chunked by hand to the same size (and pocketmap with batch disabled, its
// fallback), and reading 100,000 records with iterate against the SDK's getFullList, in time and peak
// memory. Each sample is a fresh process (bench/bulk-child.ts); the cases take turns, round by round,
// on the bench's one server. Called by bench/run.ts; alone, `node bench/bulk.ts` (after `npm run build`)
// runs it on an embedded PocketBase of its own and writes bench/results/bulk-<yyyy-mm-dd>.json.
import { execFile } from "node:child_process";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { setup } from "../src/index.ts";

export interface BulkSample {
  case: string;
  records: number;
  ms: number;
  peakHeapBytes: number;
  peakRssBytes: number;
  /** Memory-mode samples only: the largest heap that survived a full GC during the job. */
  liveHeapBytes?: number;
}

interface Server {
  url: string;
  email: string;
  password: string;
}

const QUICK = process.env.BENCH_QUICK === "1";
const CREATE_COUNT = QUICK ? 2_000 : 10_000;
const READ_COUNT = QUICK ? 20_000 : 100_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS || (QUICK ? 1 : 3));
/** The server's batch.maxRequests for the run, and the SDK's hand-made chunk size. */
const CHUNK = Number(process.env.BENCH_CHUNK || 500);

const CREATE_CASES = [
  "create-undici-batch",
  "create-sdk-loop",
  "create-sdk-batch",
  "create-pocketmap",
  "create-pocketmap-sync",
];
const READ_CASES = ["read-sdk-getFullList", "read-pocketmap-iterate", "read-pocketmap-sync-iterate"];
/** pocketmap's createMany on the same server with batch turned off. */
const FALLBACK = "create-pocketmap-fallback";

function child(
  server: Server,
  which: string,
  collection: string,
  count: number,
  module: string,
  memory = false,
) {
  return new Promise<BulkSample>((resolve, reject) => {
    const script = fileURLToPath(new URL("./bulk-child.ts", import.meta.url));
    const variables = { ...process.env };
    for (const key of Object.keys(variables)) if (/^POCKET(BASE|MAP)_/.test(key)) delete variables[key];
    execFile(
      process.execPath,
      ["--expose-gc", script, which === FALLBACK ? "create-pocketmap" : which],
      {
        env: {
          ...variables,
          BENCH_URL: server.url,
          BENCH_EMAIL: server.email,
          BENCH_PASSWORD: server.password,
          BENCH_COLLECTION: collection,
          BENCH_COUNT: String(count),
          BENCH_CHUNK: String(CHUNK),
          BENCH_MODULE: module,
          POCKETMAP_QUIET: "1",
          BENCH_MEMORY: memory ? "1" : "0",
        },
        timeout: 600_000,
        maxBuffer: 1 << 20,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`bench/bulk-child ${which} failed: ${error.message}\n${stderr}`));
        const sample = JSON.parse(stdout.trim().split("\n").at(-1)!) as BulkSample;
        resolve({ ...sample, case: which });
      },
    );
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface BulkRow {
  case: string;
  records: number;
  runs: number;
  medianMs: number;
  recordsPerSecond: number;
  medianPeakHeapMiB: number;
  medianPeakRssMiB: number;
  /** Read cases: the largest live heap (surviving a full GC) during the job, from the memory-mode runs. */
  medianLiveHeapMiB: number | null;
  samplesMs: number[];
}

function rows(samples: BulkSample[], memory: BulkSample[]): BulkRow[] {
  const byCase = new Map<string, BulkSample[]>();
  for (const sample of samples) byCase.set(sample.case, [...(byCase.get(sample.case) ?? []), sample]);
  return [...byCase].map(([name, list]) => {
    const ms = median(list.map((sample) => sample.ms));
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    const live = memory.filter((sample) => sample.case === name).map((sample) => sample.liveHeapBytes ?? 0);
    return {
      case: name,
      records: list[0]!.records,
      runs: list.length,
      medianMs: Math.round(ms),
      recordsPerSecond: Math.round((list[0]!.records / ms) * 1000),
      medianPeakHeapMiB: mib(median(list.map((sample) => sample.peakHeapBytes))),
      medianPeakRssMiB: mib(median(list.map((sample) => sample.peakRssBytes))),
      medianLiveHeapMiB: live.length ? mib(median(live)) : null,
      samplesMs: list.map((sample) => Math.round(sample.ms)),
    };
  });
}

export async function measureBulk(server: Server, module: string) {
  const modulePath = isAbsolute(module) ? module : fileURLToPath(new URL(`../${module}`, import.meta.url));
  const env = setup({ async: true, ...server });
  const batch = (enabled: boolean) =>
    env.send("/api/settings", {
      method: "PATCH",
      body: { batch: { enabled, maxRequests: CHUNK, timeout: 30 } },
    });
  // Every create sample starts from an empty collection, so that no case pays for another's rows.
  const empty = (collection: string) =>
    env.send(`/api/collections/${collection}/truncate`, { method: "DELETE" });
  try {
    await batch(true);
    const fields = [
      { name: "title", type: "text" },
      { name: "n", type: "number" },
    ];
    await env.createCollection({ name: "bulk_write", type: "base", fields });
    await env.createCollection({ name: "bulk_read", type: "base", fields });
    console.log(`  seeding ${READ_COUNT} records to read (createMany)`);
    for (let start = 0; start < READ_COUNT; start += 10_000) {
      const size = Math.min(10_000, READ_COUNT - start);
      await env.bulk_read!.createMany(
        Array.from({ length: size }, (_, i) => ({ title: `read ${start + i}`, n: start + i })),
      );
    }
    const samples: BulkSample[] = [];
    const memory: BulkSample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const turn = (list: string[]) => list.map((_, i) => list[(i + round) % list.length]!);
      for (const which of turn(CREATE_CASES)) {
        await empty("bulk_write");
        samples.push(await child(server, which, "bulk_write", CREATE_COUNT, modulePath));
      }
      await batch(false);
      try {
        await empty("bulk_write");
        samples.push(await child(server, FALLBACK, "bulk_write", CREATE_COUNT, modulePath));
      } finally {
        await batch(true);
      }
      for (const which of turn(READ_CASES)) {
        samples.push(await child(server, which, "bulk_read", READ_COUNT, modulePath));
      }
      for (const which of turn(READ_CASES)) {
        memory.push(await child(server, which, "bulk_read", READ_COUNT, modulePath, true));
      }
      console.log(`  round ${round + 1}/${ROUNDS} done`);
    }
    const table = rows(samples, memory);
    const row = (name: string) => table.find((entry) => entry.case === name)!;
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    /** The median over rounds of a's time ÷ b's in the same round (cases of a round ran back to back). */
    const paired = (a: string, b: string) => {
      const [first, second] = [row(a).samplesMs, row(b).samplesMs];
      return ratio(median(first.map((ms, round) => ms / second[round]!)), 1);
    };
    const ratios = {
      /** SDK one-by-one create loop time ÷ pocketmap createMany time (goal ≥ 10). */
      createManyVsSdkLoop: ratio(row("create-sdk-loop").medianMs, row("create-pocketmap").medianMs),
      /** The same, as the median of each round's own ratio. */
      createManyVsSdkLoopPaired: paired("create-sdk-loop", "create-pocketmap"),
      /** SDK loop time ÷ raw undici batch time: the most any client's batch can gain on this server. */
      undiciFloorVsSdkLoop: ratio(row("create-sdk-loop").medianMs, row("create-undici-batch").medianMs),
      undiciFloorVsSdkLoopPaired: paired("create-sdk-loop", "create-undici-batch"),
      /** Raw undici batch time ÷ pocketmap createMany time (1 = no cost over the floor). */
      createManyVsUndiciFloor: ratio(row("create-undici-batch").medianMs, row("create-pocketmap").medianMs),
      createManyVsUndiciFloorPaired: paired("create-undici-batch", "create-pocketmap"),
      /** SDK createBatch (hand-chunked) time ÷ pocketmap createMany time (goal ≥ 1: no slower). */
      createManyVsSdkBatch: ratio(row("create-sdk-batch").medianMs, row("create-pocketmap").medianMs),
      createManyVsSdkBatchPaired: paired("create-sdk-batch", "create-pocketmap"),
      /** pocketmap with batch disabled (fallback) time ÷ with batch on: what turning batch on saves. */
      fallbackVsBatch: ratio(row(FALLBACK).medianMs, row("create-pocketmap").medianMs),
      /** SDK getFullList time ÷ pocketmap iterate time (goal ≥ 1: at least as fast). */
      iterateVsGetFullListTime: ratio(
        row("read-sdk-getFullList").medianMs,
        row("read-pocketmap-iterate").medianMs,
      ),
      /** pocketmap iterate live heap ÷ SDK getFullList live heap, peaks surviving a full GC (goal ≤ 0.1). */
      iterateVsGetFullListLiveHeap: ratio(
        row("read-pocketmap-iterate").medianLiveHeapMiB ?? Number.NaN,
        row("read-sdk-getFullList").medianLiveHeapMiB ?? Number.NaN,
      ),
      /** The same with the raw peaks (heapUsed, garbage included: how far V8 let the heap grow). */
      iterateVsGetFullListRawHeap: ratio(
        row("read-pocketmap-iterate").medianPeakHeapMiB,
        row("read-sdk-getFullList").medianPeakHeapMiB,
      ),
      /** The same with the peak resident set of the process. */
      iterateVsGetFullListRss: ratio(
        row("read-pocketmap-iterate").medianPeakRssMiB,
        row("read-sdk-getFullList").medianPeakRssMiB,
      ),
    };
    return {
      method: {
        createRecords: CREATE_COUNT,
        readRecords: READ_COUNT,
        rounds: ROUNDS,
        chunk: CHUNK,
        server: `batch.maxRequests ${CHUNK}, batch.timeout 30 s; the fallback case runs with batch disabled`,
        samples: "one fresh process per sample (bench/bulk-child.ts); cases take turns, the first rotates",
        memory:
          "peak (heapUsed + arrayBuffers) and peak RSS during the job, minus their values just before it (after a GC); " +
          "live heap: in a separate run per round (BENCH_MEMORY=1), the largest heap surviving a full GC at checkpoints " +
          "(after getFullList returns, holding its array; every 10,000 iterated records); the sync kind's is its main thread's",
        sdk: "create loop: await create() per record; batch: createBatch() of CHUNK creates per send(); read: getFullList() with its defaults",
        floor:
          "create-undici-batch: raw undici, one connection, CHUNK creates per /api/batch as hand-made JSON, each answer parsed",
        state: "the write collection is truncated before every create sample (untimed), so each starts empty",
      },
      results: table,
      ratios,
    };
  } finally {
    await env.close();
  }
}

export function formatBulk(result: Awaited<ReturnType<typeof measureBulk>>): string {
  const lines = [
    "| case | records | median ms | records/s | peak heap MiB | peak RSS MiB | live heap MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...result.results.map(
      (row) =>
        `| ${row.case} | ${row.records} | ${row.medianMs} | ${row.recordsPerSecond} | ${row.medianPeakHeapMiB} | ${row.medianPeakRssMiB} | ${row.medianLiveHeapMiB ?? ""} |`,
    ),
  ];
  const r = result.ratios;
  lines.push(
    "",
    `  createMany vs SDK create loop: ${r.createManyVsSdkLoop}x faster (goal >= 10); paired by round: ${r.createManyVsSdkLoopPaired}x`,
    `  raw undici batch (the floor) vs SDK create loop: ${r.undiciFloorVsSdkLoop}x; paired: ${r.undiciFloorVsSdkLoopPaired}x`,
    `  createMany vs raw undici batch: ${r.createManyVsUndiciFloor} of its speed; paired: ${r.createManyVsUndiciFloorPaired}`,
    `  createMany vs SDK createBatch by hand: ${r.createManyVsSdkBatch}x (goal >= 1, no slower); paired: ${r.createManyVsSdkBatchPaired}x`,
    `  batch disabled (fallback) vs batch on: ${r.fallbackVsBatch}x slower`,
    `  iterate vs SDK getFullList, time: ${r.iterateVsGetFullListTime}x (goal >= 1)`,
    `  iterate vs SDK getFullList, live heap: ${r.iterateVsGetFullListLiveHeap} of it (goal <= 0.1)`,
    `  iterate vs SDK getFullList, raw peak heap: ${r.iterateVsGetFullListRawHeap} of it; peak RSS: ${r.iterateVsGetFullListRss} of it`,
  );
  return lines.join("\n");
}

// Alone: its own embedded server, the build, and a results file of its own.
if (import.meta.main) {
  const { writeFileSync } = await import("node:fs");
  const { startEmbedded } = await import("../src/server/embedded.ts");
  const pocketbase = await startEmbedded();
  try {
    const { url, email, password } = pocketbase;
    const bulk = await measureBulk({ url, email, password }, process.env.BENCH_MODULE || "dist/index.js");
    console.log(`\nBulk jobs\n\n${formatBulk(bulk)}\n`);
    const date = new Date().toISOString().slice(0, 10);
    const file = new URL(`./results/${process.env.BENCH_NAME || `bulk-${date}`}.json`, import.meta.url);
    const environment = {
      node: process.version,
      pocketbase: pocketbase.version,
      cpus: (await import("node:os")).cpus().length,
    };
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), environment, bulk }, null, 2)}\n`,
    );
    console.log(`wrote ${fileURLToPath(file)}`);
  } finally {
    await pocketbase.stop();
  }
}
