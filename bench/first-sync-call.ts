// One sample of pocketmap's first call in a fresh process. bench/run.ts spawns this script once per
// sample (process.execPath, so the same Node) against its own PocketBase:
//
//   BENCH_URL=… BENCH_EMAIL=… BENCH_PASSWORD=… BENCH_ID=<record id> node bench/first-sync-call.ts <kind>
//
// Kinds:
//   sync        setup({ url, email, password }), then collection("bench").getOne(id): the sync worker
//               starts inside that first call, which also connects, authenticates and sends the GET.
//   async       setup({ async: true, … }), then await collection("bench").getOne(id): the same without
//               a worker.
//   sync-noop   setup() of the sync kind, then url(): the worker starts and opens the environment, but
//               no HTTP request is sent (url() only creates the connection pool).
//
// The clock starts before setup() and stops when the first call returns; importing pocketmap comes
// before and is reported apart (importMs). A second identical call follows, to show the warm cost.
// Prints one line of JSON (a FirstCallSample) on stdout.
//
// BENCH_MODULE (optional) is pocketmap's entry to import instead of ../src/index.ts, e.g. a built
// dist/index.js (whose sync kind then starts dist/worker.js).
import { pathToFileURL } from "node:url";
import type { FirstCallKind, FirstCallSample } from "./run.ts";

const KINDS: readonly FirstCallKind[] = ["sync", "async", "sync-noop"];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench/first-sync-call: ${name} is not set`);
  return value;
}

function isKind(value: string | undefined): value is FirstCallKind {
  return KINDS.some((kind) => kind === value);
}

function checkRecord(value: unknown, id: string): void {
  const record = value as { id?: unknown } | null;
  if (typeof record !== "object" || record === null || record.id !== id) {
    throw new Error(
      `bench/first-sync-call: expected record ${id}, got ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
}

// Node start to this line (performance.timeOrigin is the start of the process).
const bootMs = performance.now();
const kind = process.argv[2];
if (!isKind(kind)) throw new Error(`bench/first-sync-call: kind must be one of ${KINDS.join(", ")}`);
const url = required("BENCH_URL");
const email = required("BENCH_EMAIL");
const password = required("BENCH_PASSWORD");
const id = required("BENCH_ID");
const collection = process.env.BENCH_COLLECTION || "bench";

const importStarted = performance.now();
const { setup } = (await import(
  process.env.BENCH_MODULE ? pathToFileURL(process.env.BENCH_MODULE).href : "../src/index.ts"
)) as typeof import("../src/index.ts");
const importMs = performance.now() - importStarted;

let setupMs: number;
let firstCallMs: number;
let secondCallMs: number;

if (kind === "async") {
  const started = performance.now();
  const env = setup({ async: true, url, email, password });
  setupMs = performance.now() - started;
  checkRecord(await env.collection(collection).getOne(id), id);
  firstCallMs = performance.now() - started;
  const again = performance.now();
  checkRecord(await env.collection(collection).getOne(id), id);
  secondCallMs = performance.now() - again;
  await env.close();
} else {
  const started = performance.now();
  const env = setup({ url, email, password });
  setupMs = performance.now() - started;
  if (kind === "sync") {
    checkRecord(env.collection(collection).getOne(id), id);
  } else if (typeof env.url() !== "string") {
    throw new Error("bench/first-sync-call: url() did not return a string");
  }
  firstCallMs = performance.now() - started;
  const again = performance.now();
  if (kind === "sync") checkRecord(env.collection(collection).getOne(id), id);
  else env.url();
  secondCallMs = performance.now() - again;
  env.close();
}

const sample: FirstCallSample = { kind, bootMs, importMs, setupMs, firstCallMs, secondCallMs };
process.stdout.write(`${JSON.stringify(sample)}\n`);
