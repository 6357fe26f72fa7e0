// env.sync(a, b): two-way replication between two real servers, in both kinds: changes on either side
// reach the other, concurrent edits of one record converge on the later one (and are reported), a
// second run writes nothing (no echo), and a live sync stays quiet once things are quiet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncEnvironment, ReplicationProgress } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { notesModel } from "./collections.ts";
import { side, type TwoServers, twoServers, until } from "./helpers.ts";
import { KINDS, openEnvWith } from "./kinds.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A collection's records in one key order: id, title, n (and `updated`, with `withTimes`). */
async function contents(env: AsyncEnvironment, name: string, withTimes = false) {
  const all = await env.collection(name).getFullList({ sort: "id" });
  return all.map(({ id, title, n, updated }) => (withTimes ? { id, title, n, updated } : { id, title, n }));
}

describe.each(KINDS)("env.sync() (%s kind)", (kind) => {
  let a: EmbeddedServer;
  let b: EmbeddedServer;
  let envA: AsyncEnvironment;
  let envB: AsyncEnvironment;
  let pair: TwoServers | undefined;
  let env: AsyncEnvironment;
  const name = "notes";

  beforeAll(async () => {
    pair = await twoServers();
    ({ a, b, envA, envB } = pair);
    env = openEnvWith(kind, side(a));
    await envA.createCollection(notesModel(name));
    await envA.collection(name).createMany(Array.from({ length: 20 }, (_, n) => ({ title: "first", n })));
  }, 120_000);

  afterAll(async () => {
    await env?.close();
    await pair?.close();
  });

  it("carries changes both ways, converges concurrent edits on the later one and reports them", async () => {
    const first = await env.sync(side(a), side(b));
    expect(first.written).toBe(20);
    expect(await contents(envB, name)).toEqual(await contents(envA, name));

    const ids = (await contents(envA, name)).map((r) => r.id);
    await envB.collection(name).createMany([{ title: "made on b", n: 100 }]);
    await envA.collection(name).update(ids[0]!, { title: "changed on a" });
    await envB.collection(name).delete(ids[1]!);
    // The same record on both sides, b's edit last.
    await envA.collection(name).update(ids[2]!, { title: "a's edit" });
    await sleep(5);
    await envB.collection(name).update(ids[2]!, { title: "b's edit" });

    const second = await env.sync(side(a), side(b));
    expect(second.conflicts).toEqual([{ collection: name, id: ids[2], winner: "b" }]);
    const [onA, onB] = [await contents(envA, name), await contents(envB, name)];
    expect(onB).toEqual(onA);
    expect(onA.find((r) => r.id === ids[2])?.title).toBe("b's edit");
    expect(onA.find((r) => r.id === ids[0])?.title).toBe("changed on a");
    expect(onA.some((r) => r.id === ids[1])).toBe(false);
    expect(onA.some((r) => r.title === "made on b")).toBe(true);

    // What a run wrote is not copied back: the next one writes nothing.
    const third = await env.sync(side(a), side(b));
    expect(third.written).toBe(0);
    expect(third.deleted).toBe(0);
  }, 120_000);

  it("live: concurrent edits converge, and nothing is written in the 10 s after things go quiet (2 s without a write)", async () => {
    const live = env.sync(side(a), side(b), { live: true }) as unknown as {
      on(event: string, fn: (data: never) => void): () => void;
      cancel(): unknown;
    };
    let paused = 0;
    live.on("paused", () => paused++);
    let writes = 0;
    live.on("progress", (p: ReplicationProgress) => {
      if (p.phase === "live") writes++;
    });
    try {
      expect(await until(() => paused >= 2, 60_000)).toBe(true);
      const ids = (await contents(envA, name)).map((r) => r.id);
      await envA.collection(name).update(ids[5]!, { title: "live a" });
      await envB.collection(name).update(ids[6]!, { title: "live b" });
      await envA.collection(name).update(ids[7]!, { n: -1 });
      await envB.collection(name).update(ids[7]!, { n: -2 });
      const converged = async () =>
        JSON.stringify(await contents(envA, name)) === JSON.stringify(await contents(envB, name));
      expect(await until(converged, 60_000)).toBe(true);
      // Quiet: converged, and no write reported for 2 s (a direction that lost a race may still be
      // carrying a version across, and the sync kind's progress events cross a thread).
      const quiet = async () => {
        const seen = writes;
        await sleep(2_000);
        return seen === writes && (await converged());
      };
      expect(await until(quiet, 60_000)).toBe(true);
      const both = await contents(envA, name);
      expect(both.find((r) => r.id === ids[5])?.title).toBe("live a");
      expect(both.find((r) => r.id === ids[6])?.title).toBe("live b");
      // Quiet now: 10 s without a single write on either side.
      const [beforeA, beforeB] = [await contents(envA, name, true), await contents(envB, name, true)];
      const writesBefore = writes;
      await sleep(10_000);
      expect(await contents(envA, name, true)).toEqual(beforeA);
      expect(await contents(envB, name, true)).toEqual(beforeB);
      expect(writes).toBe(writesBefore);
    } finally {
      await live.cancel();
    }
  }, 120_000);
});
