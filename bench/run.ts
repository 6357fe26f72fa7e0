// Benchmarks pocketmap against raw undici (the floor) and the official `pocketbase` SDK: one embedded
// PocketBase, every client authenticated as the same superuser, clients interleaved in rounds.
//
//   npm run bench                     full run (~50 s), writes bench/results/async-<yyyy-mm-dd>.json
//   BENCH_QUICK=1 npm run bench       ~10 s smoke run
//   BENCH_NAME=<name> npm run bench   writes bench/results/<name>.json
//
// To add a client, push an entry to the list built in main(): { name, ops, close }. Ops it lacks are
// skipped (a blocking client has no use for getOneX64); an op may return a value or a Promise.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import PocketBase from "pocketbase";
import { Pool } from "undici";
import { DEFAULT_CONNECTIONS } from "../src/abstract/constants.ts";
import { startEmbedded } from "../src/env/embedded.ts";
import { setup } from "../src/index.ts";

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
const BASELINES = ["undici", "sdk"] as const;

const QUICK = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true";
const ROUNDS = QUICK ? 4 : 10;
/** Measured time per op across all clients and rounds (iterations per round are calibrated to it). */
const BUDGET_MS = QUICK ? 2_000 : 12_000;
const WARMUP_MS = QUICK ? 100 : 400;
const MIN_ITERATIONS = 2;
const MAX_ITERATIONS = 5_000;

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
    name: "pocketmap",
    ops: {
      getOne,
      // page: 1 so the query string is the same as the SDK's getList(1, 100).
      list100: () => records.list({ page: 1, perPage: 100 }),
      create: (data) => records.create({ ...data }),
      getOneX64: concurrently(getOne),
    },
    close: () => env.close(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Measurement

interface Stats {
  n: number;
  medianMs: number;
  p95Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
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

function stats(samples: readonly number[], requests: number): Stats {
  const s = sorted(samples);
  const total = s.reduce((sum, value) => sum + value, 0);
  return {
    n: s.length,
    medianMs: median(s),
    p95Ms: s[Math.max(0, Math.ceil(0.95 * s.length) - 1)]!,
    meanMs: total / s.length,
    minMs: s[0]!,
    maxMs: s[s.length - 1]!,
    opsPerSec: (requests * s.length * 1000) / total,
  };
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

function formatTable(rows: readonly Row[]): string {
  const header = ["op", "client", "median ms", "p95 ms", "ops/s", ...BASELINES.map((b) => `× ${b}`)];
  const ratio = (value: number | null | undefined) => (value == null ? "–" : `${value.toFixed(2)}×`);
  const body = rows.map((row) => [
    row.op,
    row.client,
    row.medianMs.toFixed(3),
    row.p95Ms.toFixed(3),
    Math.round(row.opsPerSec).toLocaleString("en-US"),
    ...BASELINES.map((b) => ratio(row.ratios[b])),
  ]);
  const widths = header.map((title, c) => Math.max(title.length, ...body.map((cells) => cells[c]!.length)));
  const numeric = (c: number) => c >= 2;
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (numeric(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (numeric(c) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  const name = process.env.BENCH_NAME || `async-${localDate(startedAt)}`;
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

    // The list of clients: add more here (e.g. pocketmap's sync kind, without getOneX64).
    clients.push(
      await undiciClient(url, email, password),
      await sdkClient(url, email, password),
      pocketmapClient(url, email, password),
    );
    const measured = clients.filter((client) => client.name !== "setup");

    const rows: Row[] = [];
    const methods: OpMethod[] = [];
    // list100 runs before create, so every list reads the same 200 seeded records.
    for (const op of makeOps(ids)) {
      const opStarted = performance.now();
      const { rows: opRows, method } = await measureOp(op, measured);
      rows.push(...opRows);
      methods.push(method);
      const seconds = ((performance.now() - opStarted) / 1000).toFixed(1);
      console.log(`  ${op.label}: ${method.iterationsPerRound} iterations × ${ROUNDS} rounds (${seconds} s)`);
    }

    console.log(`\n${formatTable(rows)}\n`);

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
        poolConnections: { undici: DEFAULT_CONNECTIONS, pocketmap: DEFAULT_CONNECTIONS, sdk: "global fetch" },
        clients: measured.map((client) => client.name),
        interleaving: "per round every client runs iterationsPerRound in turn; the first client rotates",
        ops: methods,
        units: "latency per iteration in ms (a getOne x64 iteration is one batch); ops/s counts requests",
      },
      results: rows.map((row) => ({
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
      })),
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
