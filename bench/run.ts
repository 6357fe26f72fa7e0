// Benchmarks pocketmap's async and sync kinds against raw undici (the floor) and the official
// `pocketbase` SDK: one embedded PocketBase, every client authenticated as the same superuser, clients
// interleaved in rounds. Then the sync kind's overhead (a call with no request, GET /api/health), the
// first call in a fresh process (bench/first-sync-call.ts, spawned once per sample), and the goals.
//
//   npm run bench                     full run (~90 s), writes bench/results/sync-async-<yyyy-mm-dd>.json
//   BENCH_QUICK=1 npm run bench       ~20 s smoke run
//   BENCH_NAME=<name> npm run bench   writes bench/results/<name>.json
//
// To add a client, push an entry to the list built in main(): { name, ops, close }. Ops it lacks are
// skipped (a blocking client has no use for getOneX64); an op may return a value or a Promise.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import PocketBase from "pocketbase";
import { Pool } from "undici";
import { DEFAULT_CONNECTIONS } from "../src/abstract/constants.ts";
import { setup } from "../src/index.ts";
import { startEmbedded } from "../src/server/embedded.ts";
import { formatBulk, measureBulk } from "./bulk.ts";
import { formatImportCost, measureImportCost } from "./import-cost.ts";

// ---------------------------------------------------------------------------------------------------
// Clients and operations

interface NewRecord {
  title: string;
  n: number;
}

/** What a client can do; every op sends the same HTTP request whichever client runs it. */
interface ClientOps {
  /** GET /api/collections/bench/records/:id */
  getOne?: (id: string) => unknown;
  /** GET /api/collections/bench/records?page=1&perPage=100 */
  list100?: () => unknown;
  /** POST /api/collections/bench/records */
  create?: (data: NewRecord) => unknown;
  /** getOne for every id at once (Promise.all); leave out for blocking clients. */
  getOneX64?: (ids: readonly string[]) => unknown;
  /** GET /api/health: no auth, a tiny body; the cost of a request with nothing around it. */
  health?: () => unknown;
  /** A call that sends no request (pocketmap's url()): for the sync kind, one bare worker round trip. */
  roundTrip?: () => unknown;
}

interface Client {
  name: string;
  ops: ClientOps;
  close(): Promise<void> | void;
}

type OpName = keyof ClientOps;

interface OpSpec {
  name: OpName;
  /** Row label in the table. */
  label: string;
  /** HTTP requests per iteration (ops/s counts requests). */
  requests: number;
  /** Minimum warm-up iterations per client (warm-up also lasts at least WARMUP_MS). */
  warmup: number;
  /** The iteration function for this client, or undefined when the client lacks the op. */
  bind(ops: ClientOps): ((i: number) => unknown) | undefined;
  /** Validates one result so a broken client cannot post a fast time. */
  check(result: unknown): void;
}

const COLLECTION = "bench";
const SEED = 200;
const CONCURRENCY = 64;
/** Every row's median is divided by each of these clients' medians for the same op. */
const BASELINES = ["undici", "sdk", "pocketmap"] as const;
const SYNC = "pocketmap-sync";
const ASYNC = "pocketmap";

/** The goals this benchmark reports on (no assertion: they are printed and saved, met or not). */
const GOALS = {
  /** Sync getOne median ÷ async getOne median, at most. */
  syncGetOneRatio: 1.25,
  /** Median first sync call in a fresh process (setup() to the first getOne returning), below. */
  firstSyncCallMs: 150,
  /** pocketmap async median ÷ raw undici median, on the op where it is highest, at most. */
  asyncUndiciRatio: 1.05,
  /** Cost of `import` of pocketmap's build ÷ the SDK's (fresh processes' CPU time minus Node's own start), at most. */
  importRatio: 2,
} as const;

const QUICK = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true";
const ROUNDS = QUICK ? 4 : 10;
/** Measured time per op across all clients and rounds (iterations per round are calibrated to it). */
const BUDGET_MS = QUICK ? 2_000 : 12_000;
const WARMUP_MS = QUICK ? 100 : 400;
const MIN_ITERATIONS = 2;
const MAX_ITERATIONS = 5_000;
/** Fresh processes per first-call kind. */
const FIRST_CALL_RUNS = QUICK ? 4 : 10;
/** Fresh processes per import kind (bench/import-cost.ts). */
const IMPORT_RUNS = QUICK ? 10 : 40;
/** A first-call child that takes longer than this is killed and the run fails. */
const FIRST_CALL_TIMEOUT_MS = 60_000;

function fail(message: string): never {
  throw new Error(`bench: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function checkRecord(value: unknown): void {
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.title !== "string") {
    fail(`expected a record, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
}

function makeOps(ids: readonly string[]): OpSpec[] {
  const idAt = (i: number) => ids[i % ids.length]!;
  const batchAt = (i: number) => Array.from({ length: CONCURRENCY }, (_, k) => idAt(i * CONCURRENCY + k));
  return [
    {
      name: "getOne",
      label: "getOne",
      requests: 1,
      warmup: 100,
      bind: ({ getOne }) => getOne && ((i) => getOne(idAt(i))),
      check: checkRecord,
    },
    {
      name: "list100",
      label: "list100",
      requests: 1,
      warmup: 30,
      bind: ({ list100 }) => list100 && (() => list100()),
      check(result) {
        const items = isRecord(result) ? result.items : undefined;
        if (!Array.isArray(items) || items.length !== 100) fail("list100 did not return 100 items");
        checkRecord(items[0]);
      },
    },
    {
      name: "create",
      label: "create",
      requests: 1,
      warmup: 30,
      bind: ({ create }) => create && ((i) => create({ title: `bench record ${i}`, n: i })),
      check: checkRecord,
    },
    {
      name: "getOneX64",
      label: `getOne x${CONCURRENCY}`,
      requests: CONCURRENCY,
      warmup: 5,
      bind: ({ getOneX64 }) => getOneX64 && ((i) => getOneX64(batchAt(i))),
      check(result) {
        if (!Array.isArray(result) || result.length !== CONCURRENCY) fail("getOneX64 lost results");
        checkRecord(result[0]);
      },
    },
  ];
}

/** The sync kind's overhead, measured like the ops above (separate table). */
function makeOverheadOps(): OpSpec[] {
  return [
    {
      name: "roundTrip",
      label: "no request (url())",
      requests: 1,
      warmup: 200,
      bind: ({ roundTrip }) => roundTrip && (() => roundTrip()),
      check(result) {
        if (typeof result !== "string" || !result.startsWith("http")) fail("url() did not return the URL");
      },
    },
    {
      name: "health",
      label: "health",
      requests: 1,
      warmup: 100,
      bind: ({ health }) => health && (() => health()),
      check(result) {
        if (!isRecord(result) || result.code !== 200)
          fail(`health: ${JSON.stringify(result)?.slice(0, 200)}`);
      },
    },
  ];
}

/** The concurrent form of an async getOne. */
function concurrently(getOne: (id: string) => Promise<unknown>) {
  return (ids: readonly string[]) => Promise.all(ids.map((id) => getOne(id)));
}

/** Raw undici: one keep-alive Pool (as many connections as pocketmap's), JSON.parse of the body. */
async function undiciClient(url: string, email: string, password: string): Promise<Client> {
  const pool = new Pool(url, { connections: DEFAULT_CONNECTIONS, keepAliveTimeout: 30_000, pipelining: 1 });
  const send = async (method: "GET" | "POST", path: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = token;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await pool.request({
      method,
      path,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const parsed: unknown = JSON.parse(await response.body.text());
    if (response.statusCode >= 400) fail(`undici ${method} ${path}: HTTP ${response.statusCode}`);
    return parsed;
  };
  const auth = await send("POST", "/api/collections/_superusers/auth-with-password", {
    identity: email,
    password,
  });
  const token = isRecord(auth) && typeof auth.token === "string" ? auth.token : fail("no token");
  const records = `/api/collections/${COLLECTION}/records`;
  const getOne = (id: string) => send("GET", `${records}/${encodeURIComponent(id)}`, undefined, token);
  return {
    name: "undici",
    ops: {
      getOne,
      list100: () => send("GET", `${records}?page=1&perPage=100`, undefined, token),
      create: (data) => send("POST", records, data, token),
      getOneX64: concurrently(getOne),
      health: () => send("GET", "/api/health"),
    },
    close: () => pool.close(),
  };
}

/** The official SDK as its README shows it (global fetch), auto-cancellation off. */
async function sdkClient(url: string, email: string, password: string): Promise<Client> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection("_superusers").authWithPassword(email, password);
  const records = pb.collection(COLLECTION);
  const getOne = (id: string) => records.getOne(id);
  return {
    name: "sdk",
    ops: {
      getOne,
      list100: () => records.getList(1, 100),
      create: (data) => records.create(data),
      getOneX64: concurrently(getOne),
      health: () => pb.health.check(),
    },
    close: () => {
      pb.cancelAllRequests();
      pb.authStore.clear();
    },
  };
}

/** pocketmap's async environment (authenticates lazily, on its first request: warm-up covers it). */
function pocketmapClient(url: string, email: string, password: string): Client {
  const env = setup({ async: true, url, email, password });
  const records = env.collection(COLLECTION);
  const getOne = (id: string) => records.getOne(id);
  return {
    name: ASYNC,
    ops: {
      getOne,
      // page: 1 so the query string is the same as the SDK's getList(1, 100).
      list100: () => records.list({ page: 1, perPage: 100 }),
      create: (data) => records.create({ ...data }),
      getOneX64: concurrently(getOne),
      health: () => env.health(),
      roundTrip: () => env.url(),
    },
    close: () => env.close(),
  };
}

/**
 * pocketmap's sync kind: every call blocks on a round trip to the worker thread that hosts an async
 * environment. No getOneX64: a blocking client cannot have requests in flight at once. Its first call
 * (in the warm-up) starts the worker.
 */
function pocketmapSyncClient(url: string, email: string, password: string): Client {
  const env = setup({ url, email, password });
  const records = env.collection(COLLECTION);
  return {
    name: SYNC,
    ops: {
      getOne: (id) => records.getOne(id),
      list100: () => records.list({ page: 1, perPage: 100 }),
      create: (data) => records.create({ ...data }),
      health: () => env.health(),
      roundTrip: () => env.url(),
    },
    close: () => env.close(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Measurement

interface Summary {
  n: number;
  medianMs: number;
  /** Nearest rank: with 10 samples, the slowest. */
  p95Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

interface Stats extends Summary {
  /** Requests per second over the measured iterations (requests × n / total time). */
  opsPerSec: number;
}

interface Row extends Stats {
  op: string;
  client: string;
  /** Median of this client ÷ median of the baseline client, per baseline name. */
  ratios: Record<string, number | null>;
  /** Median of each round, to show drift across the run. */
  roundMediansMs: number[];
}

interface OpMethod {
  op: string;
  requestsPerIteration: number;
  warmupIterations: Record<string, number>;
  iterationsPerRound: number;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isRecord(value) && typeof (value as { then?: unknown }).then === "function";
}

/** Runs one iteration; awaits only when the op returned a promise (a blocking client is timed as is). */
async function timed(run: (i: number) => unknown, i: number): Promise<number> {
  const started = performance.now();
  const result = run(i);
  if (isThenable(result)) await result;
  return performance.now() - started;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function median(values: readonly number[]): number {
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function summary(samples: readonly number[]): Summary {
  const s = sorted(samples);
  return {
    n: s.length,
    medianMs: median(s),
    p95Ms: s[Math.max(0, Math.ceil(0.95 * s.length) - 1)]!,
    meanMs: sum(s) / s.length,
    minMs: s[0]!,
    maxMs: s[s.length - 1]!,
  };
}

function stats(samples: readonly number[], requests: number): Stats {
  return { ...summary(samples), opsPerSec: (requests * samples.length * 1000) / sum(samples) };
}

async function measureOp(op: OpSpec, clients: readonly Client[]): Promise<{ rows: Row[]; method: OpMethod }> {
  const runners = clients.flatMap((client) => {
    const run = op.bind(client.ops);
    return run ? [{ client, run, samples: [] as number[], rounds: [] as number[], counter: 0 }] : [];
  });
  const warmupIterations: Record<string, number> = {};
  let perRoundMs = 0;

  // Warm-up, per client: connections, auth, JIT. Its later half estimates the cost of one iteration.
  for (const runner of runners) {
    op.check(await runner.run(runner.counter++));
    const times: number[] = [];
    const started = performance.now();
    while (times.length < op.warmup || performance.now() - started < WARMUP_MS) {
      times.push(await timed(runner.run, runner.counter++));
    }
    warmupIterations[runner.client.name] = times.length + 1;
    const tail = times.slice(times.length >> 1);
    perRoundMs += tail.reduce((sum, value) => sum + value, 0) / tail.length;
  }

  const iterations = Math.min(
    MAX_ITERATIONS,
    Math.max(MIN_ITERATIONS, Math.floor(BUDGET_MS / ROUNDS / perRoundMs)),
  );

  // Rounds: each client runs `iterations` in turn; the first client rotates every round.
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < runners.length; k++) {
      const runner = runners[(round + k) % runners.length]!;
      const times: number[] = [];
      for (let i = 0; i < iterations; i++) times.push(await timed(runner.run, runner.counter++));
      runner.samples.push(...times);
      runner.rounds.push(median(times));
    }
  }

  const rows: Row[] = runners.map((runner) => ({
    op: op.label,
    client: runner.client.name,
    ...stats(runner.samples, op.requests),
    ratios: {},
    roundMediansMs: runner.rounds,
  }));
  for (const row of rows) {
    for (const baseline of BASELINES) {
      const base = rows.find((other) => other.client === baseline);
      row.ratios[baseline] = base ? row.medianMs / base.medianMs : null;
    }
  }
  return {
    rows,
    method: {
      op: op.label,
      requestsPerIteration: op.requests,
      warmupIterations,
      iterationsPerRound: iterations,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// First call in a fresh process (bench/first-sync-call.ts)

export type FirstCallKind = "sync" | "async" | "sync-noop";

/** What bench/first-sync-call.ts prints: one fresh process, times in ms. */
export interface FirstCallSample {
  kind: FirstCallKind;
  /** Process start to the script's first line: Node's own start-up. */
  bootMs: number;
  /** import("../src/index.ts"), before the clock starts. */
  importMs: number;
  /** setup() alone (part of firstCallMs). */
  setupMs: number;
  /** Before setup() to after the first call returns: the measurement. */
  firstCallMs: number;
  /** The same call again, right after: the warm cost, for comparison. */
  secondCallMs: number;
}

interface FirstCallRow extends Summary {
  kind: FirstCallKind;
  label: string;
  /** firstCallMs of every run, in run order. */
  samplesMs: number[];
  /** Medians of the other times of the same runs. */
  bootMs: number;
  importMs: number;
  setupMs: number;
  secondCallMs: number;
}

const FIRST_CALL_KINDS: readonly { kind: FirstCallKind; label: string }[] = [
  { kind: "sync", label: `${SYNC}: setup() + first getOne` },
  { kind: "async", label: `${ASYNC}: setup() + first await getOne` },
  { kind: "sync-noop", label: `${SYNC}: setup() + first url() (no request)` },
];

const FIRST_CALL_SCRIPT = fileURLToPath(new URL("./first-sync-call.ts", import.meta.url));
/**
 * What the first-call children import: the built package by default (what users run, with the
 * bundled dist/worker.js; `npm run bench` builds first), or BENCH_MODULE (e.g. src/index.ts).
 */
const FIRST_CALL_MODULE = process.env.BENCH_MODULE || "dist/index.js";

function runFirstCall(kind: FirstCallKind, env: NodeJS.ProcessEnv): Promise<FirstCallSample> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [FIRST_CALL_SCRIPT, kind],
      { env, timeout: FIRST_CALL_TIMEOUT_MS, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`bench: first-call child (${kind}) failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          const sample = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as FirstCallSample;
          if (sample.kind !== kind || !(sample.firstCallMs > 0)) fail(`bad sample ${stdout}`);
          resolve(sample);
        } catch (cause) {
          reject(cause);
        }
      },
    );
  });
}

/** FIRST_CALL_RUNS fresh processes per kind, one at a time; the kinds take turns and the order rotates. */
async function measureFirstCalls(url: string, email: string, password: string, id: string) {
  const env = {
    ...process.env,
    BENCH_URL: url,
    BENCH_EMAIL: email,
    BENCH_PASSWORD: password,
    BENCH_ID: id,
    BENCH_COLLECTION: COLLECTION,
    BENCH_MODULE: isAbsolute(FIRST_CALL_MODULE)
      ? FIRST_CALL_MODULE
      : fileURLToPath(new URL(`../${FIRST_CALL_MODULE}`, import.meta.url)),
  };
  const samples = new Map<FirstCallKind, FirstCallSample[]>(FIRST_CALL_KINDS.map(({ kind }) => [kind, []]));
  for (let run = 0; run < FIRST_CALL_RUNS; run++) {
    for (let k = 0; k < FIRST_CALL_KINDS.length; k++) {
      const { kind } = FIRST_CALL_KINDS[(run + k) % FIRST_CALL_KINDS.length]!;
      samples.get(kind)!.push(await runFirstCall(kind, env));
    }
  }
  return FIRST_CALL_KINDS.map(({ kind, label }): FirstCallRow => {
    const runs = samples.get(kind)!;
    const medianOf = (key: keyof Omit<FirstCallSample, "kind">) => median(runs.map((run) => run[key]));
    return {
      kind,
      label,
      ...summary(runs.map((run) => run.firstCallMs)),
      samplesMs: runs.map((run) => run.firstCallMs),
      bootMs: medianOf("bootMs"),
      importMs: medianOf("importMs"),
      setupMs: medianOf("setupMs"),
      secondCallMs: medianOf("secondCallMs"),
    };
  });
}

/**
 * Median time of POST auth-with-password alone (raw undici, kept-alive connection): every first call
 * above authenticates this way, so it is the part of the first call that no client can avoid.
 */
async function measureAuth(url: string, email: string, password: string, runs = 5): Promise<number> {
  const pool = new Pool(url, { connections: 1 });
  try {
    const times: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const started = performance.now();
      const response = await pool.request({
        method: "POST",
        path: "/api/collections/_superusers/auth-with-password",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identity: email, password }),
      });
      await response.body.text();
      if (response.statusCode !== 200) fail(`auth-with-password: HTTP ${response.statusCode}`);
      // The first one opens the connection: left out.
      if (i > 0) times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Reporting

function packageVersion(name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

function projectVersion(): string {
  const file = new URL("../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

function gitCommit(): { commit: string; dirty: boolean } | null {
  try {
    const cwd = new URL("..", import.meta.url);
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd, encoding: "utf8" });
    return { commit, dirty: status.trim() !== "" };
  } catch {
    return null;
  }
}

function localDate(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
const round1 = (value: number) => Math.round(value * 10) / 10;

/** A Markdown table; columns from `numericFrom` on are right-aligned. */
function markdownTable(header: readonly string[], body: readonly string[][], numericFrom: number): string {
  const widths = header.map((title, c) => Math.max(title.length, ...body.map((cells) => cells[c]!.length)));
  const numeric = (c: number) => c >= numericFrom;
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (numeric(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (numeric(c) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

const formatRatio = (value: number | null | undefined) => (value == null ? "–" : `${value.toFixed(2)}×`);

function formatTable(rows: readonly Row[]): string {
  const header = ["op", "client", "median ms", "p95 ms", "ops/s", ...BASELINES.map((b) => `× ${b}`)];
  const body = rows.map((row) => [
    row.op,
    row.client,
    row.medianMs.toFixed(3),
    row.p95Ms.toFixed(3),
    Math.round(row.opsPerSec).toLocaleString("en-US"),
    ...BASELINES.map((b) => formatRatio(row.ratios[b])),
  ]);
  return markdownTable(header, body, 2);
}

function formatFirstCallTable(rows: readonly FirstCallRow[]): string {
  const header = [
    "first call, fresh process",
    "runs",
    "median ms",
    "p95 ms",
    "min ms",
    "max ms",
    "2nd call ms",
  ];
  const body = rows.map((row) => [
    row.label,
    String(row.n),
    row.medianMs.toFixed(1),
    row.p95Ms.toFixed(1),
    row.minMs.toFixed(1),
    row.maxMs.toFixed(1),
    row.secondCallMs.toFixed(3),
  ]);
  return markdownTable(header, body, 1);
}

/** Sync − async, per op both kinds ran: where the sync kind's time goes. */
interface SyncOverhead {
  op: string;
  syncMedianMs: number;
  asyncMedianMs: number;
  /** Sync median − async median. */
  diffMs: number;
  /** Sync median ÷ async median. */
  ratio: number;
}

function syncOverheads(rows: readonly Row[]): SyncOverhead[] {
  return rows.flatMap((row) => {
    if (row.client !== SYNC) return [];
    const base = rows.find((other) => other.op === row.op && other.client === ASYNC);
    if (!base) return [];
    return [
      {
        op: row.op,
        syncMedianMs: row.medianMs,
        asyncMedianMs: base.medianMs,
        diffMs: row.medianMs - base.medianMs,
        ratio: row.medianMs / base.medianMs,
      },
    ];
  });
}

interface Goal {
  description: string;
  value: number;
  unit: "×" | "ms";
  comparison: "<=" | "<";
  target: number;
  met: boolean;
}

function goalLine(goal: Goal, detail: string): string {
  const shown = goal.unit === "×" ? `${goal.value.toFixed(2)}×` : `${goal.value.toFixed(1)} ms`;
  const target = goal.unit === "×" ? `${goal.target.toFixed(2)}×` : `${goal.target} ms`;
  const sign = goal.comparison === "<=" ? "≤" : "<";
  return `  ${goal.description}: ${shown}${detail} (goal ${sign} ${target}): ${goal.met ? "met" : "NOT met"}`;
}

function resultRow(row: Row) {
  return {
    op: row.op,
    client: row.client,
    n: row.n,
    medianMs: round3(row.medianMs),
    p95Ms: round3(row.p95Ms),
    meanMs: round3(row.meanMs),
    minMs: round3(row.minMs),
    maxMs: round3(row.maxMs),
    opsPerSec: Math.round(row.opsPerSec),
    /** This client's median ÷ the baseline's median. */
    medianRatio: Object.fromEntries(
      BASELINES.map((b) => [b, row.ratios[b] == null ? null : round3(row.ratios[b])]),
    ),
    roundMediansMs: row.roundMediansMs.map(round3),
  };
}

// ---------------------------------------------------------------------------------------------------

async function measureAll(ops: readonly OpSpec[], clients: readonly Client[]) {
  const rows: Row[] = [];
  const methods: OpMethod[] = [];
  for (const op of ops) {
    const opStarted = performance.now();
    const { rows: opRows, method } = await measureOp(op, clients);
    rows.push(...opRows);
    methods.push(method);
    const seconds = ((performance.now() - opStarted) / 1000).toFixed(1);
    console.log(`  ${op.label}: ${method.iterationsPerRound} iterations × ${ROUNDS} rounds (${seconds} s)`);
  }
  return { rows, methods };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  const name = process.env.BENCH_NAME || `sync-async-${localDate(startedAt)}`;
  if (!/^[\w.-]+$/.test(name)) fail(`BENCH_NAME must be a plain file name, got ${JSON.stringify(name)}`);

  const server = await startEmbedded();
  const clients: Client[] = [];
  try {
    const { url, email, password } = server;
    console.log(`PocketBase ${server.version} at ${url}${QUICK ? " (quick run)" : ""}`);

    const env = setup({ async: true, url, email, password });
    clients.push({ name: "setup", ops: {}, close: () => env.close() });
    await env.createCollection({
      name: COLLECTION,
      type: "base",
      listRule: "",
      viewRule: "",
      createRule: "",
      updateRule: "",
      deleteRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < SEED; i++) {
      const record = await env.bench!.create({ title: `seed record ${i}`, n: i });
      ids.push(record.id);
    }

    // The list of clients: add more here.
    clients.push(
      await undiciClient(url, email, password),
      await sdkClient(url, email, password),
      pocketmapClient(url, email, password),
      pocketmapSyncClient(url, email, password),
    );
    const measured = clients.filter((client) => client.name !== "setup");

    // list100 runs before create, so every list reads the same 200 seeded records.
    console.log("Operations");
    const ops = await measureAll(makeOps(ids), measured);
    console.log("Sync overhead");
    const overhead = await measureAll(makeOverheadOps(), measured);
    console.log(`First call: ${FIRST_CALL_RUNS} fresh processes per kind, importing ${FIRST_CALL_MODULE}`);
    const firstCalls = await measureFirstCalls(url, email, password, ids[0]!);
    const authMs = await measureAuth(url, email, password);
    console.log(`Import cost: ${IMPORT_RUNS} fresh processes per kind`);
    const importCost = measureImportCost(IMPORT_RUNS);
    // BENCH_BULK=0 leaves the bulk jobs (several minutes) to their own run: node bench/bulk.ts.
    const withBulk = process.env.BENCH_BULK !== "0";
    if (withBulk) console.log("Bulk jobs (bench/bulk.ts)");
    const bulk = withBulk ? await measureBulk({ url, email, password }, FIRST_CALL_MODULE) : null;

    const overheads = syncOverheads([...ops.rows, ...overhead.rows]);
    const roundTrip = overhead.rows.find((row) => row.op === "no request (url())" && row.client === SYNC);
    const getOne = overheads.find((row) => row.op === "getOne") ?? fail("no sync/async getOne to compare");
    const firstOf = (kind: FirstCallKind) => firstCalls.find((row) => row.kind === kind)!;
    const firstSync = firstOf("sync");
    const firstAsync = firstOf("async");
    const firstNoop = firstOf("sync-noop");
    const worstAsync = ops.rows
      .filter((row) => row.client === ASYNC)
      .map((row) => ({ op: row.op, ratio: row.ratios.undici ?? 0 }))
      .reduce((worst, row) => (row.ratio > worst.ratio ? row : worst));
    const goals = {
      syncGetOneRatio: {
        description: `${SYNC} getOne median ÷ ${ASYNC} getOne median`,
        value: getOne.ratio,
        unit: "×",
        comparison: "<=",
        target: GOALS.syncGetOneRatio,
        met: getOne.ratio <= GOALS.syncGetOneRatio,
      },
      firstSyncCallMs: {
        description: "first sync call (setup() + first getOne, fresh process), median",
        value: firstSync.medianMs,
        unit: "ms",
        comparison: "<",
        target: GOALS.firstSyncCallMs,
        met: firstSync.medianMs < GOALS.firstSyncCallMs,
      },
      asyncUndiciRatio: {
        description: `${ASYNC} median ÷ undici median, highest over the ops (${worstAsync.op})`,
        value: worstAsync.ratio,
        unit: "×",
        comparison: "<=",
        target: GOALS.asyncUndiciRatio,
        met: worstAsync.ratio <= GOALS.asyncUndiciRatio,
      },
      importRatio: {
        description:
          "import of pocketmap (dist/index.js) ÷ import of the SDK, fresh processes' CPU time minus baseline",
        value: importCost.ratios.esm.cpu,
        unit: "×",
        comparison: "<=",
        target: GOALS.importRatio,
        met: importCost.ratios.esm.cpu <= GOALS.importRatio,
      },
    } satisfies Record<keyof typeof GOALS, Goal>;

    const us = (ms: number) => `${ms >= 0 ? "+" : "−"}${Math.round(Math.abs(ms) * 1000)} µs`;
    console.log(`\n${formatTable(ops.rows)}\n`);
    console.log(`Sync overhead (${SYNC} vs ${ASYNC}, same run)\n\n${formatTable(overhead.rows)}\n`);
    for (const row of overheads) {
      console.log(
        `  ${row.op}: ${row.syncMedianMs.toFixed(3)} vs ${row.asyncMedianMs.toFixed(3)} ms, ` +
          `${us(row.diffMs)} (${formatRatio(row.ratio)})`,
      );
    }
    console.log(`\n${formatFirstCallTable(firstCalls)}\n`);
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(
      [
        `  first sync getOne − first async getOne (medians): ${ms(firstSync.medianMs - firstAsync.medianMs)}`,
        `  first sync url(), no request (worker start and open): ${ms(firstNoop.medianMs)}`,
        `  auth-with-password alone (raw undici, median of 5; inside every first getOne): ${ms(authMs)}`,
        `  import of pocketmap, before the clock (sync children, median): ${ms(firstSync.importMs)}`,
      ].join("\n"),
    );
    console.log(`\nImport cost (fresh processes, medians)\n\n${formatImportCost(importCost)}\n`);
    if (bulk) console.log(`\nBulk jobs\n\n${formatBulk(bulk)}\n`);
    console.log("Goals");
    console.log(
      goalLine(
        goals.syncGetOneRatio,
        ` (${getOne.syncMedianMs.toFixed(3)} / ${getOne.asyncMedianMs.toFixed(3)} ms)`,
      ),
    );
    console.log(goalLine(goals.firstSyncCallMs, `, p95 ${firstSync.p95Ms.toFixed(1)} ms`));
    console.log(goalLine(goals.asyncUndiciRatio, ""));
    const esm = (target: string) =>
      importCost.rows.find((row) => row.format === "esm" && row.target === target)!;
    console.log(
      goalLine(
        goals.importRatio,
        ` (${esm("pocketmap").importCpuMs.toFixed(1)} / ${esm("sdk").importCpuMs.toFixed(1)} ms; wall ${importCost.ratios.esm.process.toFixed(2)}×, inside ${importCost.ratios.esm.inside.toFixed(2)}×; CommonJS CPU ${importCost.ratios.cjs.cpu.toFixed(2)}×)`,
      ),
    );
    console.log("");

    const cpus = os.cpus();
    const result = {
      name,
      date: startedAt.toISOString(),
      durationSec: round3((performance.now() - t0) / 1000),
      machine: {
        cpu: cpus[0]?.model ?? "unknown",
        cores: cpus.length,
        totalMemoryBytes: os.totalmem(),
        totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        platform: os.platform(),
        arch: os.arch(),
        osRelease: os.release(),
        node: process.version,
      },
      versions: {
        pocketbase: server.version,
        pocketbaseSdk: packageVersion("pocketbase"),
        undici: packageVersion("undici"),
        /** The undici inside Node, which the SDK's global fetch uses. */
        nodeUndici: process.versions.undici ?? null,
        pocketmap: projectVersion(),
        git: gitCommit(),
      },
      method: {
        quick: QUICK,
        rounds: ROUNDS,
        budgetMsPerOp: BUDGET_MS,
        warmupMsPerClient: WARMUP_MS,
        seededRecords: SEED,
        concurrency: CONCURRENCY,
        poolConnections: {
          undici: DEFAULT_CONNECTIONS,
          [ASYNC]: DEFAULT_CONNECTIONS,
          [SYNC]: `${DEFAULT_CONNECTIONS} (in the worker)`,
          sdk: "global fetch",
        },
        clients: measured.map((client) => client.name),
        interleaving: "per round every client runs iterationsPerRound in turn; the first client rotates",
        ops: [...ops.methods, ...overhead.methods],
        units: "latency per iteration in ms (a getOne x64 iteration is one batch); ops/s counts requests",
        firstCall: {
          script: "bench/first-sync-call.ts",
          module: FIRST_CALL_MODULE,
          runsPerKind: FIRST_CALL_RUNS,
          clock: "before setup() to after the first call returns; import of pocketmap excluded",
          order: "one process at a time; the kinds take turns, the first kind rotates every run",
        },
      },
      results: ops.rows.map(resultRow),
      overhead: {
        results: overhead.rows.map(resultRow),
        /** Sync median − async median per op, and their ratio. */
        syncVsAsync: overheads.map((row) => ({
          op: row.op,
          syncMedianMs: round3(row.syncMedianMs),
          asyncMedianMs: round3(row.asyncMedianMs),
          diffMs: round3(row.diffMs),
          ratio: round3(row.ratio),
        })),
        /** One bare worker round trip: the sync client's url() median. */
        workerRoundTripMs: roundTrip ? round3(roundTrip.medianMs) : null,
      },
      firstCall: {
        results: firstCalls.map((row) => ({
          kind: row.kind,
          label: row.label,
          runs: row.n,
          medianMs: round1(row.medianMs),
          p95Ms: round1(row.p95Ms),
          meanMs: round1(row.meanMs),
          minMs: round1(row.minMs),
          maxMs: round1(row.maxMs),
          samplesMs: row.samplesMs.map(round1),
          medianBootMs: round1(row.bootMs),
          medianImportMs: round1(row.importMs),
          medianSetupMs: round3(row.setupMs),
          medianSecondCallMs: round3(row.secondCallMs),
        })),
        /** First sync getOne − first async getOne, medians: what the worker adds to the first call. */
        syncMinusAsyncMs: round1(firstSync.medianMs - firstAsync.medianMs),
        /** POST auth-with-password alone (raw undici, median of 5): part of every first call above. */
        authWithPasswordMs: round1(authMs),
      },
      /** bench/import-cost.ts: fresh processes importing nothing, the SDK, pocketmap's build. */
      importCost,
      /** createMany vs the SDK's create loop and createBatch; iterate vs getFullList (issue 9). */
      bulk,
      goals: Object.fromEntries(
        Object.entries(goals).map(([key, goal]) => [
          key,
          { ...goal, value: goal.unit === "ms" ? round1(goal.value) : round3(goal.value) },
        ]),
      ),
    };
    const dir = new URL("./results/", import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`${name}.json`, dir);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${file.pathname} (${result.durationSec} s)`);
  } finally {
    for (const client of clients) await client.close();
    await server.stop();
  }
}

await main();
