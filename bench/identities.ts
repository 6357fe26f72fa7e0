// Benchmarks identities (env.as()): what creating one costs, that it opens no connection, and what a
// request through one costs next to the same request through the environment it came from.
//
//   node bench/identities.ts                 writes bench/results/identities-<yyyy-mm-dd>.json
//   BENCH_QUICK=1 node bench/identities.ts   a short smoke run
//
// One embedded PocketBase; a public `bench_notes` collection with 200 records. The request compared is
// getOne, sequential, alternating request by request: through the base env (the superuser), through an identity
// acting as that same superuser (the server's work is identical, so the difference is pocketmap's),
// through a fresh identity per request (the per-request pattern of a server), and, for information,
// as an ordinary user (PocketBase then evaluates the collection's rule, which is server work).
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import os from "node:os";
import { type AsyncEnvironment, setup } from "../src/index.ts";
import { startEmbedded } from "../src/server/embedded.ts";

const QUICK = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true";
const ROUNDS = QUICK ? 4 : 12;
const REQUESTS = QUICK ? 200 : 1_000;
const CREATIONS = QUICK ? 20_000 : 200_000;
const SEED = 200;

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** A TCP proxy that counts the connections opened through it. */
async function countingProxy(target: string) {
  const { hostname, port } = new URL(target);
  let connections = 0;
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((client) => {
    connections++;
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`,
    get connections() {
      return connections;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main() {
  const pb = await startEmbedded();
  const base = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
  try {
    await base.createCollection({
      name: "bench_notes",
      type: "base",
      listRule: '@request.auth.id != ""',
      viewRule: '@request.auth.id != ""',
      fields: [{ name: "text", type: "text" }],
    });
    await base.createCollection({ name: "bench_users", type: "auth", fields: [] });
    const ids: string[] = [];
    for (let n = 0; n < SEED; n++) ids.push((await base.bench_notes!.create({ text: `note ${n}` })).id);
    const password = "bench-password-1";
    await base.bench_users!.create({ email: "bench@pocketmap.test", password, passwordConfirm: password });
    const superuser = await base._superusers!.auth(pb.email, pb.password);
    const user = await base.bench_users!.auth("bench@pocketmap.test", password);

    // 1. The cost of as(): many identities created back to back, timed as a whole.
    const creations: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      for (let i = 0; i < CREATIONS; i++) base.as(superuser);
      creations.push(((performance.now() - started) * 1000) / CREATIONS);
    }
    const asTokenStarted = performance.now();
    for (let i = 0; i < CREATIONS; i++) base.as(superuser.token);
    const asTokenMicros = ((performance.now() - asTokenStarted) * 1000) / CREATIONS;

    // 2. Connections: an environment with a pool of 4, warmed up; then identities and their requests.
    const proxy = await countingProxy(pb.url);
    const counted = setup({
      async: true,
      url: proxy.url,
      email: pb.email,
      password: pb.password,
      connections: 4,
    });
    await Promise.all(ids.slice(0, 16).map((id) => counted.bench_notes!.getOne(id)));
    const warm = proxy.connections;
    const many = Array.from({ length: 10_000 }, (_, i) => counted.as(i % 2 ? superuser : user));
    const afterCreating = proxy.connections;
    for (let i = 0; i < 1_000; i++) await many[i]!.bench_notes!.getOne(ids[i % SEED]!);
    await Promise.all(many.slice(0, 64).map((identity, i) => identity.bench_notes!.getOne(ids[i]!)));
    const afterRequests = proxy.connections;
    await counted.close();
    await proxy.close();

    // 3. A request through an identity vs through the base env: the same getOne, alternating request
    // by request (so that the machine's drift hits every series alike), each timed on its own.
    const identity = base.as(superuser);
    const asUser = base.as(user);
    const targets: Record<string, () => AsyncEnvironment> = {
      base: () => base,
      identity: () => identity,
      freshIdentity: () => base.as(superuser),
      asUser: () => asUser,
    };
    const series: Record<string, number[]> = Object.fromEntries(
      Object.keys(targets).map((name) => [name, []]),
    );
    for (let round = -1; round < ROUNDS; round++) {
      for (let i = 0; i < REQUESTS; i++) {
        const id = ids[i % SEED]!;
        for (const [name, target] of Object.entries(targets)) {
          const started = performance.now();
          await target().bench_notes!.getOne(id);
          // Round -1 warms up.
          if (round >= 0) series[name]!.push((performance.now() - started) * 1000);
        }
      }
    }
    const perRequest = Object.fromEntries(
      Object.entries(series).map(([name, values]) => [name, median(values)]),
    );
    const result = {
      date: new Date().toISOString(),
      quick: QUICK,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      pocketbase: pb.version,
      asMicroseconds: { authResult: median(creations), token: asTokenMicros, rounds: creations },
      connections: { warm, afterCreating10000Identities: afterCreating, afterTheirRequests: afterRequests },
      getOneMicroseconds: perRequest,
      ratios: {
        identity: perRequest.identity! / perRequest.base!,
        freshIdentity: perRequest.freshIdentity! / perRequest.base!,
        asUser: perRequest.asUser! / perRequest.base!,
      },
      goals: {
        "as() costs microseconds": median(creations) < 100,
        "as() opens no connection": afterCreating === warm && afterRequests === warm,
        "identity request <= 1.05x base": perRequest.identity! / perRequest.base! <= 1.05,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    const name = process.env.BENCH_NAME ?? `identities-${result.date.slice(0, 10)}`;
    const dir = new URL("./results/", import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await base.close();
    await pb.stop();
  }
}

await main();
