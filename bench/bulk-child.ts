// One bulk-job sample in a fresh process, so that its time and peak memory are its own. bench/bulk.ts
// spawns it (process.execPath --expose-gc) against the bench's PocketBase:
//
//   BENCH_URL=… BENCH_EMAIL=… BENCH_PASSWORD=… BENCH_COLLECTION=… BENCH_COUNT=… BENCH_CHUNK=…
//     node --expose-gc bench/bulk-child.ts <case>
//
// Cases: create-undici-batch (the floor: raw undici, the same chunks as hand-made JSON), create-sdk-loop,
// create-sdk-batch, create-pocketmap, create-pocketmap-sync (BENCH_COUNT new
// records into BENCH_COLLECTION) and read-sdk-getFullList, read-pocketmap-iterate,
// read-pocketmap-sync-iterate (every record of BENCH_COLLECTION, summing `n`). The clock covers the job
// only; the client is set up and authenticated first. Peak memory is sampled every 5 ms: the JS heap
// plus array buffers of the main thread, and the process's resident set (which includes the sync
// worker), each minus its value just before the job. With BENCH_MEMORY=1 the read cases also measure
// the live heap: at checkpoints (after getFullList returns, while its array is held; every 10,000
// records of an iteration) a full GC runs and the heap that survives it is sampled. That run's time
// is not used (the GCs cost time). Prints one line of JSON.
import { pathToFileURL } from "node:url";
import PocketBase from "pocketbase";
import { Pool } from "undici";

const env = (name: string) => process.env[name] ?? "";
const url = env("BENCH_URL");
const email = env("BENCH_EMAIL");
const password = env("BENCH_PASSWORD");
const collection = env("BENCH_COLLECTION");
const count = Number(env("BENCH_COUNT"));
const chunk = Number(env("BENCH_CHUNK"));
const which = process.argv[2] ?? "";
const module = process.env.BENCH_MODULE ?? new URL("../src/index.ts", import.meta.url).href;
const { setup } = (await import(
  module.startsWith("file:") ? module : pathToFileURL(module).href
)) as typeof import("../src/index.ts");

const memoryMode = process.env.BENCH_MEMORY === "1";
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};
let heap0 = 0;
let livePeak = 0;
/** In memory mode: a full GC, then the heap that survived it (the job's live objects). */
function checkpoint(): void {
  if (!memoryMode || !gc) return;
  gc();
  livePeak = Math.max(livePeak, heap() - heap0);
}

const docs = Array.from({ length: count }, (_, n) => ({ title: `bulk ${which} ${n}`, n }));

async function sdk(): Promise<PocketBase> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection("_superusers").authWithPassword(email, password);
  return pb;
}

/** Prepares the client, then returns the job to time; the job returns how many records it handled. */
async function prepare(): Promise<{ job: () => Promise<number> | number; close: () => unknown }> {
  switch (which) {
    case "create-undici-batch": {
      // The floor: what /api/batch costs with nothing but undici around it (one kept-alive connection,
      // the chunk's JSON built in the loop, each answer parsed and checked for its length).
      const pool = new Pool(url, { connections: 1, keepAliveTimeout: 30_000 });
      const login = await pool.request({
        method: "POST",
        path: "/api/collections/_superusers/auth-with-password",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identity: email, password }),
      });
      const { token } = (await login.body.json()) as { token: string };
      const headers = { "content-type": "application/json", authorization: token };
      const path = `/api/collections/${collection}/records`;
      return {
        job: async () => {
          for (let start = 0; start < docs.length; start += chunk) {
            const requests = docs
              .slice(start, start + chunk)
              .map((body) => ({ method: "POST", url: path, body }));
            const response = await pool.request({
              method: "POST",
              path: "/api/batch",
              headers,
              body: JSON.stringify({ requests }),
            });
            const results = JSON.parse(await response.body.text()) as unknown[];
            if (response.statusCode !== 200 || results.length !== requests.length)
              throw new Error(`undici /api/batch: HTTP ${response.statusCode}`);
          }
          return docs.length;
        },
        close: () => pool.close(),
      };
    }
    case "create-sdk-loop": {
      const pb = await sdk();
      return {
        job: async () => {
          for (const doc of docs) await pb.collection(collection).create(doc);
          return docs.length;
        },
        close: () => {},
      };
    }
    case "create-sdk-batch": {
      const pb = await sdk();
      return {
        job: async () => {
          for (let start = 0; start < docs.length; start += chunk) {
            const batch = pb.createBatch();
            for (const doc of docs.slice(start, start + chunk)) batch.collection(collection).create(doc);
            await batch.send();
          }
          return docs.length;
        },
        close: () => {},
      };
    }
    case "create-pocketmap":
    case "create-pocketmap-sync": {
      const sync = which.endsWith("sync");
      const pm = setup({
        async: !sync,
        url,
        email,
        password,
      }) as unknown as import("../src/index.ts").AsyncEnvironment;
      await pm.collection(collection).count(); // connects and logs in
      return {
        job: async () => (await pm.collection(collection).createMany(docs)).length,
        close: () => pm.close(),
      };
    }
    case "read-sdk-getFullList": {
      const pb = await sdk();
      return {
        job: async () => {
          const all = await pb.collection(collection).getFullList<{ n: number }>();
          checkpoint();
          let sum = 0;
          for (const record of all) sum += record.n;
          return sum >= 0 ? all.length : 0;
        },
        close: () => {},
      };
    }
    case "read-pocketmap-iterate": {
      const pm = setup({ async: true, url, email, password });
      await pm.collection(collection).count();
      return {
        job: async () => {
          let seen = 0;
          for await (const record of pm.collection(collection).iterate())
            seen += record.n === undefined ? 0 : 1;
          return seen;
        },
        close: () => pm.close(),
      };
    }
    case "read-pocketmap-sync-iterate": {
      const pm = setup({ url, email, password });
      pm.collection(collection).count();
      return {
        job: () => {
          let seen = 0;
          for (const record of pm.collection(collection).iterate()) {
            seen += record.n === undefined ? 0 : 1;
            if (seen % 10_000 === 0) checkpoint();
          }
          return seen;
        },
        close: () => pm.close(),
      };
    }
    default:
      throw new Error(`bench/bulk-child: unknown case ${JSON.stringify(which)}`);
  }
}

const { job, close } = await prepare();
gc?.();
heap0 = heap();
const rss0 = process.memoryUsage.rss();
let heapPeak = heap0;
let rssPeak = rss0;
const sample = () => {
  heapPeak = Math.max(heapPeak, heap());
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
};
// A blocking sync job starves timers; its RSS is sampled by the worker-side growth anyway (resource usage).
const timer = setInterval(sample, 5);
const started = performance.now();
const handled = await job();
const ms = performance.now() - started;
sample();
clearInterval(timer);
const maxRss = process.resourceUsage().maxRSS * 1024;
await close();
console.log(
  JSON.stringify({
    case: which,
    records: handled,
    ms,
    peakHeapBytes: heapPeak - heap0,
    peakRssBytes: Math.max(rssPeak, maxRss) - rss0,
    ...(memoryMode ? { liveHeapBytes: livePeak } : {}),
  }),
);
