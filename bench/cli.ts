// The `pocketmap` command against the official SDK (issue 17, "Performance"), whole fresh processes on
// one embedded PocketBase, in one run:
//
//   1. start-up: `node dist/cli.js get C ID`, a one-shot script (setup, getOne, exit) on pocketmap's
//      sync kind, the same on the async kind, and the same on the SDK (authWithPassword, getOne, exit);
//      the kinds take turns, medians of BENCH_STARTUP (10) processes each. The CLI and the sync
//      worker turn on Node's compile cache in pocketmap's cache dir (POCKETMAP_CACHE_DIR): "warm" runs
//      share one dir, filled by the warm-up run (every run after a user's first), "first run" ones get
//      a new empty dir each (a user's very first run, which also writes the cache);
//   2. import: BENCH_ROWS (50,000) CSV rows (title, n) into a fresh collection, `pocketmap import
//      --quiet` against a hand-written SDK script using createBatch() in chunks of the server's
//      batch.maxRequests, which is set to PocketBase's default of 50 for both;
//   3. export: the same records, `pocketmap export -f ndjson -o FILE --quiet` against the SDK's
//      getFullList() then one JSON.stringify line per record; wall time, and peak RSS at BENCH_ROWS and
//      at a tenth of it (goal: ≤ 2×).
//
// Every child is timed by this process from spawn to exit. Peak RSS is process.resourceUsage().maxRSS,
// written at 'exit' by a preload (--import of a data: URL) given to both kinds alike.
// No assertion: the goals are printed and saved, met or not.
//
//   node bench/cli.ts                      writes bench/results/cli-<yyyy-mm-dd>.json (needs dist/:
//                                          it runs `npm run build` when dist/ is older than src/)
//   BENCH_ROWS=20000 node bench/cli.ts     a smaller import/export
//   BENCH_QUICK=1 node bench/cli.ts        smoke run (2,000 rows, 3 start-ups per kind, ~15 s)
//   BENCH_IMPORTS / BENCH_EXPORTS / BENCH_STARTUP   runs per kind (default 2 / 3 / 10)
//   BENCH_NAME=cli-2026-12-06-startup      the result's name (default cli-<yyyy-mm-dd>)
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import PocketBase from "pocketbase";
import { startEmbedded } from "../src/server/embedded.ts";

const QUICK = process.env.BENCH_QUICK === "1";
const ROWS = Number(process.env.BENCH_ROWS || (QUICK ? 2_000 : 50_000));
const SMALL_ROWS = Math.round(ROWS / 10);
const STARTUPS = Number(process.env.BENCH_STARTUP || (QUICK ? 3 : 10));
const IMPORTS = Number(process.env.BENCH_IMPORTS || (QUICK ? 1 : 2));
const EXPORTS = Number(process.env.BENCH_EXPORTS || (QUICK ? 2 : 3));
const MAX_REQUESTS = 50;
const GOALS = { startup: 1.0, import: 1.0, export: 1.0, rss: 2.0 } as const;

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = path.join(root, "dist/cli.js");
const indexUrl = new URL("../dist/index.js", import.meta.url).href;
const work = mkdtempSync(path.join(os.tmpdir(), "pocketmap-bench-cli-"));

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** dist/ is built from src/: rebuild when any file of src/ is newer than dist/cli.js. */
function ensureBuild(): void {
  let built = 0;
  try {
    built = Math.min(statSync(cli).mtimeMs, statSync(fileURLToPath(indexUrl)).mtimeMs);
  } catch {}
  const newest = (dir: string): number => {
    let t = 0;
    for (const entry of readdirRecursive(dir)) t = Math.max(t, statSync(entry).mtimeMs);
    return t;
  };
  if (newest(path.join(root, "src")) > built) {
    console.log("dist/ is older than src/: npm run build");
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  }
}
function readdirRecursive(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((p) => path.join(dir, p));
}

// Writes the child's peak RSS (bytes) and CPU time (µs, user + system, all its threads) to
// BENCH_RSS_FILE when it exits (process.exit or not).
const RSS_PRELOAD =
  "data:text/javascript," +
  encodeURIComponent(
    `import { writeFileSync } from "node:fs";
process.on("exit", () => { const u = process.resourceUsage(); writeFileSync(process.env.BENCH_RSS_FILE, u.maxRSS * 1024 + " " + (u.userCPUTime + u.systemCPUTime)); });`,
  );

interface Run {
  ms: number;
  rssMB?: number;
  cpuMs?: number;
  stdout: string;
}

/** Spawns node with args, times it from spawn to exit, fails on a non-zero exit. */
function run(args: string[], env: Record<string, string>, rss = false): Promise<Run> {
  const rssFile = path.join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const fullArgs = rss ? [`--import=${RSS_PRELOAD}`, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, fullArgs, {
      cwd: root,
      env: { ...process.env, NODE_COMPILE_CACHE: "", ...env, BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${args.slice(0, 4).join(" ")}… exited ${code}: ${stderr.slice(0, 500)}`));
        return;
      }
      let rssMB: number | undefined;
      let cpuMs: number | undefined;
      if (rss) {
        const [bytes, micros] = readFileSync(rssFile, "utf8").split(" ").map(Number);
        rssMB = bytes! / 2 ** 20;
        cpuMs = micros! / 1000;
        rmSync(rssFile, { force: true });
      }
      resolve({ ms, rssMB, cpuMs, stdout });
    });
  });
}

const esm = (code: string) => ["--input-type=module", "-e", code];

// One-shot scripts: setup, getOne, exit. Credentials and ids come from the environment.
const ONE_SHOT = {
  sync: `import { setup } from ${JSON.stringify(indexUrl)};
const e = process.env;
const env = setup({ url: e.B_URL, email: e.B_EMAIL, password: e.B_PASSWORD });
const r = env.collection(e.B_C).getOne(e.B_ID);
if (r.id !== e.B_ID) throw new Error("wrong record");
process.exit(0);`,
  async: `import { setup } from ${JSON.stringify(indexUrl)};
const e = process.env;
const env = setup({ async: true, url: e.B_URL, email: e.B_EMAIL, password: e.B_PASSWORD });
const r = await env.collection(e.B_C).getOne(e.B_ID);
if (r.id !== e.B_ID) throw new Error("wrong record");
process.exit(0);`,
  sdk: `import PocketBase from "pocketbase";
const e = process.env;
const pb = new PocketBase(e.B_URL);
await pb.collection("_superusers").authWithPassword(e.B_EMAIL, e.B_PASSWORD);
const r = await pb.collection(e.B_C).getOne(e.B_ID);
if (r.id !== e.B_ID) throw new Error("wrong record");
process.exit(0);`,
};

// The hand-written SDK import: read the CSV (title,n; no quoting in this file), createBatch() in
// chunks of the server's batch.maxRequests, one batch at a time.
const SDK_IMPORT = `import { readFileSync } from "node:fs";
import PocketBase from "pocketbase";
const e = process.env;
const pb = new PocketBase(e.B_URL);
pb.autoCancellation(false);
await pb.collection("_superusers").authWithPassword(e.B_EMAIL, e.B_PASSWORD);
const max = (await pb.settings.getAll()).batch.maxRequests;
const lines = readFileSync(e.B_FILE, "utf8").split("\\n");
const header = lines[0].split(",");
const rows = [];
for (let i = 1; i < lines.length; i++) {
  if (!lines[i]) continue;
  const cells = lines[i].split(",");
  const row = {};
  header.forEach((h, j) => (row[h] = cells[j]));
  row.n = Number(row.n);
  rows.push(row);
}
for (let i = 0; i < rows.length; i += max) {
  const batch = pb.createBatch();
  for (const row of rows.slice(i, i + max)) batch.collection(e.B_C).create(row);
  await batch.send();
}
console.log(rows.length);`;

// The SDK export: getFullList(), then one JSON.stringify line per record.
const SDK_EXPORT = `import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import PocketBase from "pocketbase";
const e = process.env;
const pb = new PocketBase(e.B_URL);
await pb.collection("_superusers").authWithPassword(e.B_EMAIL, e.B_PASSWORD);
const records = await pb.collection(e.B_C).getFullList();
const out = createWriteStream(e.B_OUT);
for (const r of records) if (!out.write(JSON.stringify(r) + "\\n")) await new Promise((ok) => out.once("drain", ok));
out.end();
await finished(out);`;

function lineCount(file: string): number {
  const text = readFileSync(file, "utf8");
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

async function main(): Promise<void> {
  ensureBuild();
  const server = await startEmbedded();
  try {
    const { url, email, password } = server;
    const admin = new PocketBase(url);
    admin.autoCancellation(false);
    await admin.collection("_superusers").authWithPassword(email, password);
    await admin.settings.update({ batch: { enabled: true, maxRequests: MAX_REQUESTS } });
    const batch = (await admin.settings.getAll()).batch as { maxRequests: number; enabled: boolean };
    const fields = [
      { name: "title", type: "text" },
      { name: "n", type: "number" },
    ];
    const collections = ["one", "import_cli", "import_sdk", "small"];
    for (const name of collections) await admin.collections.create({ name, type: "base", fields });
    const id = (await admin.collection("one").create({ title: "the one record", n: 1 })).id;
    const base = { B_URL: url, B_EMAIL: email, B_PASSWORD: password };
    // The compile cache of the CLI and the sync worker: the bench's own, filled by its first runs.
    const warmCache = { POCKETMAP_CACHE_DIR: path.join(work, "cache-warm") };
    const cliEnv = {
      ...warmCache,
      POCKETBASE_URL: url,
      POCKETBASE_EMAIL: email,
      POCKETBASE_PASSWORD: password,
      POCKETMAP_QUIET: "1",
    };
    const versions = {
      pocketbase: server.version,
      sdk: JSON.parse(readFileSync(path.join(root, "node_modules/pocketbase/package.json"), "utf8")).version,
      pocketmap: JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version,
      commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim(),
      node: process.version,
    };
    console.log(
      `PocketBase ${server.version}, SDK ${versions.sdk}, Node ${process.version}, batch ${JSON.stringify(batch)}`,
    );

    // 1. Start-up.
    /** A new, empty compile cache for one run, removed after it. */
    const firstRun = async (start: (cache: Record<string, string>) => Promise<Run>) => {
      const dir = mkdtempSync(path.join(work, "cache-cold-"));
      try {
        return await start({ POCKETMAP_CACHE_DIR: dir });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    // With the preload: CPU time, much less disturbed than wall time by a busy machine.
    const oneShot = (kind: keyof typeof ONE_SHOT, cache: Record<string, string> = warmCache) =>
      run(esm(ONE_SHOT[kind]), { ...base, ...cache, B_C: "one", B_ID: id }, true);
    const cliGet = (cache: Record<string, string> = warmCache) =>
      run([cli, "get", "one", id], { ...cliEnv, ...cache }, true);
    const startKinds: Record<string, () => Promise<Run>> = {
      "cli get": () => cliGet(),
      "cli get, first run": () => firstRun(cliGet),
      "one-shot sync": () => oneShot("sync"),
      "one-shot sync, first run": () => firstRun((cache) => oneShot("sync", cache)),
      "one-shot async": () => oneShot("async"),
      "one-shot sdk": () => oneShot("sdk"),
    };
    const check = await startKinds["cli get"]!();
    if ((JSON.parse(check.stdout) as { id: string }).id !== id) throw new Error("cli get: wrong record");
    for (const kind of Object.values(startKinds)) await kind(); // warm the page cache (and cache-warm)
    const names = Object.keys(startKinds);
    const startup: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    const startupCpu: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    for (let i = 0; i < STARTUPS; i++) {
      for (let j = 0; j < names.length; j++) {
        const name = names[(i + j) % names.length]!; // rotating order
        const r = await startKinds[name]!();
        startup[name]!.push(r.ms);
        startupCpu[name]!.push(r.cpuMs!);
      }
    }
    const startMedians = Object.fromEntries(names.map((n) => [n, median(startup[n]!)]));
    const cpuMedians = Object.fromEntries(names.map((n) => [n, median(startupCpu[n]!)]));
    console.log(
      `\nStart-up, fresh processes, ${STARTUPS} each (ms, wall from spawn to exit; CPU user + system of all the child's threads; "first run": empty compile cache)\n`,
    );
    console.log(
      "| kind | median | min | max | × sdk | CPU median | × sdk |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const n of names) {
      const s = startup[n]!;
      console.log(
        `| ${n} | ${startMedians[n]!.toFixed(1)} | ${Math.min(...s).toFixed(1)} | ${Math.max(...s).toFixed(1)} | ${(startMedians[n]! / startMedians["one-shot sdk"]!).toFixed(2)}× | ${cpuMedians[n]!.toFixed(1)} | ${(cpuMedians[n]! / cpuMedians["one-shot sdk"]!).toFixed(2)}× |`,
      );
    }

    // 2. Import.
    const csv = path.join(work, "rows.csv");
    const smallCsv = path.join(work, "small.csv");
    const makeCsv = (file: string, n: number) => {
      const lines = ["title,n"];
      for (let i = 0; i < n; i++) lines.push(`row number ${i},${i}`);
      writeFileSync(file, `${lines.join("\n")}\n`);
    };
    makeCsv(csv, ROWS);
    makeCsv(smallCsv, SMALL_ROWS);
    const imports: { cli: Run[]; sdk: Run[] } = { cli: [], sdk: [] };
    const count = async (c: string) => (await admin.collection(c).getList(1, 1)).totalItems;
    const truncate = (c: string) => admin.collections.truncate(c);
    for (let i = 0; i < IMPORTS; i++) {
      const order = i % 2 ? (["sdk", "cli"] as const) : (["cli", "sdk"] as const);
      for (const kind of order) {
        const c = kind === "cli" ? "import_cli" : "import_sdk";
        if (i > 0) await truncate(c);
        const r =
          kind === "cli"
            ? await run([cli, "import", c, csv, "--quiet"], cliEnv, true)
            : await run(esm(SDK_IMPORT), { ...base, B_C: c, B_FILE: csv }, true);
        const n = await count(c);
        if (n !== ROWS) throw new Error(`import ${kind}: ${n} records, expected ${ROWS}`);
        imports[kind].push(r);
        console.log(`  import ${kind}: ${r.ms.toFixed(0)} ms, ${r.rssMB!.toFixed(0)} MB`);
      }
    }
    await run([cli, "import", "small", smallCsv, "--quiet"], cliEnv);
    const importMedians = {
      cli: median(imports.cli.map((r) => r.ms)),
      sdk: median(imports.sdk.map((r) => r.ms)),
    };
    console.log(
      `\nImport of ${ROWS} CSV rows, batch.maxRequests ${batch.maxRequests}, ${IMPORTS} each (ms)\n`,
    );
    console.log("| client | median ms | rows/s | peak RSS MB | × sdk |\n| --- | ---: | ---: | ---: | ---: |");
    for (const k of ["cli", "sdk"] as const) {
      console.log(
        `| ${k} | ${importMedians[k].toFixed(0)} | ${Math.round((ROWS / importMedians[k]) * 1000)} | ${median(imports[k].map((r) => r.rssMB!)).toFixed(0)} | ${(importMedians[k] / importMedians.sdk).toFixed(2)}× |`,
      );
    }

    // 3. Export, of the CLI's import (ROWS records) and of "small" (ROWS / 10).
    const exportKinds = {
      cli: (c: string, out: string) =>
        run([cli, "export", c, "-f", "ndjson", "-o", out, "--quiet"], cliEnv, true),
      sdk: (c: string, out: string) => run(esm(SDK_EXPORT), { ...base, B_C: c, B_OUT: out }, true),
    };
    type Size = "large" | "small";
    const exportsRuns: Record<Size, Record<"cli" | "sdk", Run[]>> = {
      large: { cli: [], sdk: [] },
      small: { cli: [], sdk: [] },
    };
    for (let i = 0; i < EXPORTS; i++) {
      for (const size of ["large", "small"] as const) {
        const order = i % 2 ? (["sdk", "cli"] as const) : (["cli", "sdk"] as const);
        for (const kind of order) {
          const out = path.join(work, `out-${kind}-${size}.ndjson`);
          const r = await exportKinds[kind](size === "large" ? "import_cli" : "small", out);
          const lines = lineCount(out);
          const expected = size === "large" ? ROWS : SMALL_ROWS;
          if (lines !== expected)
            throw new Error(`export ${kind} ${size}: ${lines} lines, expected ${expected}`);
          rmSync(out);
          exportsRuns[size][kind].push(r);
        }
      }
    }
    const exp = (size: Size, kind: "cli" | "sdk") => ({
      ms: median(exportsRuns[size][kind].map((r) => r.ms)),
      rssMB: median(exportsRuns[size][kind].map((r) => r.rssMB!)),
    });
    const exportTable = {
      cli: { large: exp("large", "cli"), small: exp("small", "cli") },
      sdk: { large: exp("large", "sdk"), small: exp("small", "sdk") },
    };
    console.log(`\nExport to NDJSON, ${EXPORTS} each (medians)\n`);
    console.log(
      `| client | ${ROWS} ms | × sdk | ${SMALL_ROWS} ms | peak RSS ${ROWS} MB | peak RSS ${SMALL_ROWS} MB | RSS ratio |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
    );
    for (const k of ["cli", "sdk"] as const) {
      const t = exportTable[k];
      console.log(
        `| ${k} | ${t.large.ms.toFixed(0)} | ${(t.large.ms / exportTable.sdk.large.ms).toFixed(2)}× | ${t.small.ms.toFixed(0)} | ${t.large.rssMB.toFixed(1)} | ${t.small.rssMB.toFixed(1)} | ${(t.large.rssMB / t.small.rssMB).toFixed(2)}× |`,
      );
    }

    // Goals.
    const sdkStart = startMedians["one-shot sdk"]!;
    const goals: Record<string, { value: number; target: number; met?: boolean }> = {
      ...Object.fromEntries(
        (
          [
            ["cli get", "cli get"],
            ["cli get, first run", "cli get, first run (empty compile cache)"],
            ["one-shot sync", "sync one-shot"],
            ["one-shot sync, first run", "sync one-shot, first run (empty compile cache)"],
            ["one-shot async", "async one-shot"],
          ] as const
        ).map(([kind, label]) => [
          `start-up: ${label} ÷ sdk one-shot`,
          { value: startMedians[kind]! / sdkStart, target: GOALS.startup },
        ]),
      ),
      [`import ${ROWS}: cli ÷ sdk createBatch`]: {
        value: importMedians.cli / importMedians.sdk,
        target: GOALS.import,
      },
      [`export ${ROWS}: cli ÷ sdk getFullList`]: {
        value: exportTable.cli.large.ms / exportTable.sdk.large.ms,
        target: GOALS.export,
      },
      [`export peak RSS: cli ${ROWS} ÷ ${SMALL_ROWS}`]: {
        value: exportTable.cli.large.rssMB / exportTable.cli.small.rssMB,
        target: GOALS.rss,
      },
    };
    console.log("\nGoals");
    for (const [name, goal] of Object.entries(goals)) {
      goal.value = round(goal.value, 3);
      goal.met = goal.value <= goal.target;
      console.log(
        `  ${name}: ${goal.value.toFixed(2)}× (goal ≤ ${goal.target.toFixed(1)}×): ${goal.met ? "met" : "NOT met"}`,
      );
    }
    console.log(
      `  (for comparison, not a goal: sdk export peak RSS ${ROWS} ÷ ${SMALL_ROWS} = ${(exportTable.sdk.large.rssMB / exportTable.sdk.small.rssMB).toFixed(2)}×)`,
    );

    const date = new Date();
    const name = process.env.BENCH_NAME || `cli-${date.toISOString().slice(0, 10)}`;
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    const file = new URL(`./results/${name}.json`, import.meta.url);
    const samples = (runs: Run[]) => runs.map((r) => ({ ms: round(r.ms), rssMB: r.rssMB && round(r.rssMB) }));
    const result = {
      name,
      date: date.toISOString(),
      machine: {
        cpu: os.cpus()[0]?.model ?? "unknown",
        cores: os.cpus().length,
        memoryGB: round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        loadavg: os.loadavg().map((v) => round(v, 2)),
      },
      versions,
      method: {
        rows: ROWS,
        smallRows: SMALL_ROWS,
        startups: STARTUPS,
        imports: IMPORTS,
        exports: EXPORTS,
        batch,
        quick: QUICK,
        timing:
          "wall time from spawn to exit, measured by the parent; peak RSS = resourceUsage().maxRSS at exit",
        compileCache:
          "NODE_COMPILE_CACHE unset for every child; pocketmap's own cache (CLI and sync worker) in POCKETMAP_CACHE_DIR: one shared dir filled by the warm-up run, or a new empty dir per 'first run'",
      },
      startup: {
        samplesMs: Object.fromEntries(names.map((n) => [n, startup[n]!.map((v) => round(v))])),
        mediansMs: Object.fromEntries(names.map((n) => [n, round(startMedians[n]!)])),
        cpuSamplesMs: Object.fromEntries(names.map((n) => [n, startupCpu[n]!.map((v) => round(v))])),
        cpuMediansMs: Object.fromEntries(names.map((n) => [n, round(cpuMedians[n]!)])),
      },
      import: {
        samples: { cli: samples(imports.cli), sdk: samples(imports.sdk) },
        mediansMs: { cli: round(importMedians.cli), sdk: round(importMedians.sdk) },
      },
      export: {
        samples: {
          cli: { large: samples(exportsRuns.large.cli), small: samples(exportsRuns.small.cli) },
          sdk: { large: samples(exportsRuns.large.sdk), small: samples(exportsRuns.small.sdk) },
        },
        medians: JSON.parse(JSON.stringify(exportTable, (_k, v) => (typeof v === "number" ? round(v) : v))),
      },
      goals,
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${fileURLToPath(file)}`);
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
