// The request pipeline's cost: getOne through raw undici (the floor), the official SDK (the peer),
// pocketmap with no hooks, and pocketmap with one no-op hook of each kind (beforeSend, afterSend), in
// both kinds. Clients take turns call by call (in a random order) on one embedded PocketBase; the
// ratios are medians of the same run. No assertion: the goals are printed and saved, met or not.
//
//   node bench/pipeline.ts                 (~40 s) writes bench/results/pipeline-<yyyy-mm-dd>.json
//   BENCH_QUICK=1 node bench/pipeline.ts   (~10 s) smoke run
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import PocketBase from "pocketbase";
import { Pool } from "undici";
import { DEFAULT_CONNECTIONS } from "../src/abstract/constants.ts";
import { type SetupOptions, setup } from "../src/index.ts";
import { startEmbedded } from "../src/server/embedded.ts";

const QUICK = process.env.BENCH_QUICK === "1";
const ROUNDS = QUICK ? 4 : 12;
const PER_ROUND = QUICK ? 150 : 400;
const WARMUP = 300;
const COLLECTION = "pipeline";

/** The goals of issue 14 (ratios of medians, same run). */
const GOALS = { asyncUndici: 1.05, asyncHook: 1.1, syncHook: 1.5 } as const;

type GetOne = (id: string) => unknown;
interface Client {
  name: string;
  getOne: GetOne;
  close(): unknown;
}

const noopBefore = () => {};
const noopAfter = () => {};

function pocketmap(name: string, options: SetupOptions): Client {
  const env = setup(options) as unknown as { collection(n: string): { getOne: GetOne }; close(): unknown };
  const records = env.collection(COLLECTION);
  return { name, getOne: (id) => records.getOne(id), close: () => env.close() };
}

async function undiciClient(url: string, token: string): Promise<Client> {
  const pool = new Pool(url, { connections: DEFAULT_CONNECTIONS, keepAliveTimeout: 30_000 });
  return {
    name: "undici",
    async getOne(id) {
      const response = await pool.request({
        method: "GET",
        path: `/api/collections/${COLLECTION}/records/${encodeURIComponent(id)}`,
        headers: { authorization: token },
      });
      return JSON.parse(await response.body.text()) as unknown;
    },
    close: () => pool.close(),
  };
}

async function sdkClient(url: string, email: string, password: string): Promise<Client> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection("_superusers").authWithPassword(email, password);
  return {
    name: "sdk",
    getOne: (id) => pb.collection(COLLECTION).getOne(id),
    close: () => pb.authStore.clear(),
  };
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function time(client: Client, id: string): Promise<number> {
  const started = performance.now();
  const result = client.getOne(id);
  if (result instanceof Promise) await result;
  return performance.now() - started;
}

async function main(): Promise<void> {
  const server = await startEmbedded();
  const { url, email, password } = server;
  const clients: Client[] = [];
  try {
    const admin = setup({ async: true, url, email, password });
    await admin.createCollection({
      name: COLLECTION,
      type: "base",
      fields: [{ name: "title", type: "text" }],
    });
    const id = (await admin.collection(COLLECTION).create({ title: "the one record" })).id;
    await admin.close();
    const token = (await new PocketBase(url).collection("_superusers").authWithPassword(email, password))
      .token;

    const login = { url, email, password };
    clients.push(
      await undiciClient(url, token),
      await sdkClient(url, email, password),
      pocketmap("async", { ...login, async: true }),
      pocketmap("async + beforeSend", { ...login, async: true, beforeSend: noopBefore }),
      pocketmap("async + afterSend", { ...login, async: true, afterSend: noopAfter }),
      pocketmap("sync", login),
      pocketmap("sync + beforeSend", { ...login, beforeSend: noopBefore }),
      pocketmap("sync + afterSend", { ...login, afterSend: noopAfter }),
    );
    for (const client of clients) for (let i = 0; i < WARMUP; i++) await time(client, id);

    // Interleaved call by call, in a new random order each time: the machine's drift, which is larger
    // than the differences measured here, falls on every client alike, and so does the work a client
    // leaves behind after its call returns (the SDK's fetch does some), which a fixed order would
    // always hand to the same next client.
    const samples = new Map<string, number[]>(clients.map((client) => [client.name, []]));
    for (let i = 0; i < ROUNDS * PER_ROUND; i++) {
      for (const client of shuffled(clients)) samples.get(client.name)!.push(await time(client, id));
    }
    const medians = Object.fromEntries([...samples].map(([name, times]) => [name, median(times)]));
    const ratio = (a: string, b: string) => medians[a]! / medians[b]!;
    const goals = {
      "async ÷ undici": { value: ratio("async", "undici"), target: GOALS.asyncUndici },
      "async + beforeSend ÷ async": { value: ratio("async + beforeSend", "async"), target: GOALS.asyncHook },
      "async + afterSend ÷ async": { value: ratio("async + afterSend", "async"), target: GOALS.asyncHook },
      "sync + beforeSend ÷ sync": { value: ratio("sync + beforeSend", "sync"), target: GOALS.syncHook },
      "sync + afterSend ÷ sync": { value: ratio("sync + afterSend", "sync"), target: GOALS.syncHook },
    };

    console.log(`PocketBase ${server.version}, getOne, ${ROUNDS} rounds × ${PER_ROUND} calls per client\n`);
    for (const [name, ms] of Object.entries(medians)) {
      console.log(`  ${name.padEnd(20)} ${ms.toFixed(3)} ms  (${ratio(name, "undici").toFixed(2)}× undici)`);
    }
    console.log("\nGoals");
    for (const [name, goal] of Object.entries(goals)) {
      const met = goal.value <= goal.target ? "met" : "NOT met";
      console.log(`  ${name}: ${goal.value.toFixed(3)}× (goal ≤ ${goal.target.toFixed(2)}×): ${met}`);
    }

    const date = new Date();
    const name = process.env.BENCH_NAME || `pipeline-${date.toISOString().slice(0, 10)}`;
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    const file = new URL(`./results/${name}.json`, import.meta.url);
    const result = {
      name,
      date: date.toISOString(),
      machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, node: process.version },
      pocketbase: server.version,
      method: { op: "getOne", rounds: ROUNDS, perRound: PER_ROUND, warmup: WARMUP, quick: QUICK },
      mediansMs: Object.fromEntries(
        Object.entries(medians).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
      ),
      goals: Object.fromEntries(
        Object.entries(goals).map(([k, g]) => [
          k,
          { value: Math.round(g.value * 1000) / 1000, target: g.target, met: g.value <= g.target },
        ]),
      ),
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${file.pathname}`);
  } finally {
    for (const client of clients) await client.close();
    await server.stop();
  }
}

await main();
