// Iterating a 100,000-record collection from the sync kind keeps the main thread's memory flat: the
// worker hands records over a chunk at a time and nothing on this side keeps them.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, setup } from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";

const RECORDS = 100_000;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe("sync iteration", () => {
  let pb: EmbeddedServer;
  let admin: AsyncEnvironment;

  beforeAll(async () => {
    // A server of its own, with large batches, so that seeding takes seconds and disturbs no one.
    pb = await startEmbedded();
    admin = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
    await admin.send("/api/settings", {
      method: "PATCH",
      body: { batch: { enabled: true, maxRequests: 1000 } },
    });
    await admin.createCollection({
      name: "big",
      type: "base",
      listRule: "",
      fields: [
        { name: "n", type: "number" },
        { name: "title", type: "text" },
      ],
    });
    const requests = Array.from({ length: RECORDS }, (_, n) => ({
      method: "POST" as const,
      url: "/api/collections/big/records",
      body: { n, title: `record number ${n} with some text to give it weight` },
    }));
    await admin.batch(requests);
  }, 120_000);
  afterAll(async () => {
    await admin?.close();
    await pb?.stop();
  });

  it("pages lazily with flat main-thread memory", () => {
    const env = setup({ url: pb.url, email: pb.email, password: pb.password });
    const big = env.collection("big");
    expect(big.size).toBe(RECORDS);

    const base = heapUsed();
    let count = 0;
    let sum = 0;
    let peak = 0;
    for (const [id, record] of big) {
      count++;
      sum += record.n as number;
      if (id.length !== 15) throw new Error(`odd id ${id}`);
      if (count % 10_000 === 0) peak = Math.max(peak, heapUsed() - base);
    }
    expect(count).toBe(RECORDS);
    expect(sum).toBe((RECORDS * (RECORDS - 1)) / 2);

    // What holding every record would cost, as the yardstick.
    const all = big.getFullList();
    const whole = heapUsed() - base;
    expect(all).toHaveLength(RECORDS);
    console.log(
      `sync iteration of ${RECORDS} records: peak heap growth ${(peak / 1e6).toFixed(1)} MB; all records held: ${(whole / 1e6).toFixed(1)} MB`,
    );
    expect(peak).toBeLessThan(whole / 10);
    env.close();
  });
});
