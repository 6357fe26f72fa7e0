// Moving many records through /api/batch on the suite's server (batch enabled, maxRequests 50):
// createMany / updateMany / upsertMany / deleteMany on 10,000 records, a failing chunk, missing ids,
// atomic jobs, the builder with files, progress, and a chunk whose answer is lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AsyncEnvironment,
  type BaseRecord,
  BatchError,
  type BatchProgress,
  InvalidInputError,
} from "../src/index.ts";
import { type FaultProxy, faultProxy } from "./fault-proxy.ts";
import { allN, freshPosts, range, server, superuserEnv, uniqueName } from "./helpers.ts";
import { failure, KINDS, openEnv, openEnvWith, settle } from "./kinds.ts";
import { OLDEST_POCKETBASE } from "./versions.ts";

// 10,000 records on the newest server; the oldest (0.23, whose deletes are ~8x slower) runs the same
// checks on 2,000, which keeps CI's two server projects within its time.
const MANY = server().version === OLDEST_POCKETBASE ? 2_000 : 10_000;
// 10,000 writes take seconds on the newest server and up to ~30 s (deletes) on 0.23 under load.
const LONG = 240_000;
const CHUNK = 50; // the suite server's batch.maxRequests (test/global-setup.ts)

describe.each(KINDS)(`${MANY} records through /api/batch (%s kind)`, (kind) => {
  const env = openEnv(kind);
  let name: string;
  let ids: string[];
  afterAll(() => env.close());
  beforeAll(async () => {
    name = await freshPosts(env, "many");
  });

  it(
    "createMany: every record once, in input order, with progress",
    async () => {
      const progress: BatchProgress[] = [];
      const docs = range(0, MANY).map((n) => ({ title: `t${n}`, n }));
      const created = await env.collection(name).createMany(docs, { onProgress: (p) => progress.push(p) });
      expect(created.map((record) => record.n)).toEqual(range(0, MANY));
      ids = created.map((record) => record.id);
      expect(new Set(ids).size).toBe(MANY);
      expect(await allN(env, name)).toEqual(range(0, MANY));
      // One report per chunk, counting up to the total (the callback ran on the caller's thread).
      expect(progress).toHaveLength(MANY / CHUNK);
      expect(progress.map((p) => p.done)).toEqual(range(1, MANY / CHUNK + 1).map((k) => k * CHUNK));
      expect(progress.every((p) => p.total === MANY)).toBe(true);
    },
    LONG,
  );

  it(
    "updateMany: every record updated once, in input order",
    async () => {
      const updated = await env
        .collection(name)
        .updateMany(ids.map((id, i) => ({ id, n: MANY + i, title: `u${i}` })));
      expect(updated.map((record) => record.id)).toEqual(ids);
      expect(updated.map((record) => record.n)).toEqual(range(MANY, 2 * MANY));
      expect(await allN(env, name)).toEqual(range(MANY, 2 * MANY));
    },
    LONG,
  );

  it(
    "upsertMany: existing ids updated, new ids created, in input order",
    async () => {
      // Every other existing record is updated; as many new records are created with ids of ours.
      const fresh = range(0, MANY / 2).map(
        (i) => `new${kind}${String(i).padStart(15 - 3 - kind.length, "0")}`,
      );
      const docs = range(0, MANY).map((i) =>
        i % 2 === 0
          ? { id: ids[i]!, n: 2 * MANY + i }
          : { id: fresh[(i - 1) / 2]!, title: "new", n: 3 * MANY + i },
      );
      const upserted = await env.collection(name).upsertMany(docs);
      expect(upserted.map((record) => record.id)).toEqual(docs.map((doc) => doc.id));
      expect(upserted.map((record) => record.n)).toEqual(docs.map((doc) => doc.n));
      const expected = [
        ...docs.map((doc) => doc.n),
        ...ids.filter((_, i) => i % 2 === 1).map((_, k) => MANY + 2 * k + 1),
      ].sort((a, b) => a - b);
      expect(await allN(env, name)).toEqual(expected);
      ids.push(...fresh);
    },
    LONG,
  );

  it(
    "deleteMany: true per deleted id, false per missing one, in input order",
    async () => {
      const missing = ["gone00000000001", "gone00000000002"];
      const input = [missing[0]!, ...ids, missing[1]!];
      const deleted = await env.collection(name).deleteMany(input);
      expect(deleted).toEqual([false, ...ids.map(() => true), false]);
      expect(await env.collection(name).count()).toBe(0);
    },
    LONG,
  );
});

describe.each(KINDS)("batch jobs (%s kind)", (kind) => {
  const env = openEnv(kind);
  let name: string;
  const posts = () => env.collection(name);
  afterAll(() => env.close());
  beforeAll(async () => {
    name = await freshPosts(env, "jobs");
  });

  it("a failing chunk in the middle: its input and field errors, what was written, nothing after", async () => {
    await posts().clear();
    // Input 120 is refused by the server (not an email); it is in the third chunk (100-149).
    const docs = range(0, 200).map((n) =>
      n === 120 ? { title: "bad", n, email: "not an email" } : { title: "ok", n },
    );
    const error = (await failure(() => posts().createMany(docs))) as BatchError;
    expect(error).toBeInstanceOf(BatchError);
    expect(error.index).toBe(120);
    expect(error.status).toBe(400);
    expect(error.data).toHaveProperty("email.code", "validation_is_email");
    expect(error.written).toEqual(range(0, 100));
    expect(error.unknown).toEqual([]);
    expect(error.results.slice(0, 100).every((result) => result?.status === 200)).toBe(true);
    expect(error.results.slice(100).every((result) => result === null)).toBe(true);
    expect(error.message).toMatch(/input 120 .* failed/);
    expect(error.message).toMatch(/100 of 200 inputs were written \(inputs 0-99\)/);
    // The server holds exactly the first two chunks: the failing chunk was rolled back, later ones never ran.
    expect(await allN(env, name)).toEqual(range(0, 100));
  });

  it("deleteMany with missing ids answers false for them and deletes the others", async () => {
    await posts().clear();
    const created = await posts().createMany(range(0, 5).map((n) => ({ title: "d", n })));
    const [a, b, c, d, e] = created.map((record) => record.id) as [string, string, string, string, string];
    await posts().remove(b);
    const deleted = await posts().deleteMany([a, b, "missing00000001", c, a, d]);
    // b was already gone, the made-up id never existed, and a is gone by its second mention.
    expect(deleted).toEqual([true, false, false, true, false, true]);
    expect((await posts().getFullList()).map((record) => record.id)).toEqual([e]);
    expect(await posts().deleteMany([])).toEqual([]);
    expect(await posts().deleteMany(["missing00000001"])).toEqual([false]);
  });

  it("atomic: one transaction, or refused before anything is written", async () => {
    await posts().clear();
    const fits = await posts().createMany(
      range(0, CHUNK).map((n) => ({ title: "a", n })),
      { atomic: true },
    );
    expect(fits).toHaveLength(CHUNK);
    await posts().clear();
    const error = await failure(() =>
      posts().createMany(
        range(0, CHUNK + 1).map((n) => ({ title: "a", n })),
        { atomic: true },
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/51 requests exceed the server's batch.maxRequests of 50/);
    expect(await posts().count()).toBe(0);
    // One bad input fails the whole atomic job: nothing is written.
    const bad = (await failure(() =>
      posts().createMany([{ title: "a", n: 1 }, { email: "x" }], { atomic: true }),
    )) as BatchError;
    expect(bad.index).toBe(1);
    expect(bad.written).toEqual([]);
    expect(await posts().count()).toBe(0);
  });

  it("updateMany needs an id in each patch; bad options fail before anything is sent", async () => {
    await expect(settle(() => posts().updateMany([{ title: "x" } as never]))).rejects.toThrow(
      /patches\[0\] has no id/,
    );
    await expect(settle(() => posts().createMany([{ title: "x" }], { nope: 1 } as never))).rejects.toThrow(
      /unknown option "nope"/,
    );
    expect(await posts().count()).toBe(0);
  });

  it("the builder: creates, updates, upserts and deletes across two collections, with files", async () => {
    const files = uniqueName("batchfiles");
    await env.createCollection({
      name: files,
      type: "base",
      fields: [
        { name: "title", type: "text" },
        { name: "doc", type: "file", maxSelect: 1, maxSize: 1_000_000 },
        { name: "docs", type: "file", maxSelect: 5, maxSize: 1_000_000 },
      ],
    });
    const existing = await posts().create({ title: "to update", n: 1 });
    const doomed = await posts().create({ title: "to delete", n: 2 });
    const bytes = new Uint8Array(300).map((_, i) => i % 256);
    const results = await env.batch((b) => {
      b[name]!.create({ title: "built", n: 3 });
      b.collection(files).create({ title: "with a file", doc: new File([bytes], "bytes.bin") });
      b[name]!.update(existing.id, { n: 10 });
      b.collection(files).create({ title: "two files", docs: [new Blob(["one"]), Buffer.from("two")] });
      b[name]!.delete(doomed.id);
      b[name]!.upsert({ id: "upserted0000001", title: "upserted", n: 4 });
    });
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 204, 200]);
    const withFile = results[1]!.body as BaseRecord;
    expect(withFile.doc).toMatch(/^bytes_\w+\.bin$/);
    const { url } = server();
    const admin = superuserEnv();
    try {
      const token = ((await admin.send("/api/files/token", { method: "POST" })) as { token: string }).token;
      const downloaded = await fetch(
        `${url}/api/files/${files}/${withFile.id}/${withFile.doc}?token=${token}`,
      );
      expect(new Uint8Array(await downloaded.arrayBuffer())).toEqual(bytes);
    } finally {
      await admin.close();
    }
    expect((results[3]!.body as BaseRecord).docs).toHaveLength(2);
    expect(await posts().get(existing.id)).toMatchObject({ n: 10 });
    expect(await posts().has(doomed.id)).toBe(false);
    expect(await posts().get("upserted0000001")).toMatchObject({ title: "upserted", n: 4 });
    expect(await env.collection(files).count()).toBe(2);
    // Chunked like the helpers: 120 requests are three transactions, answered in order.
    const many = await env.batch((b) => {
      for (let n = 0; n < 120; n++) b[name]!.create({ title: "chunked", n: 1000 + n });
    });
    expect(many.map((result) => (result.body as BaseRecord).n)).toEqual(range(1000, 1120));
    await expect(settle(() => env.batch(async () => {}))).rejects.toThrow(/must be synchronous/);
  });
});

describe.each(KINDS)("a chunk whose answer is lost (%s kind)", (kind) => {
  let proxy: FaultProxy;
  let name: string;
  let proxied: AsyncEnvironment;
  beforeAll(async () => {
    proxy = await faultProxy();
    const admin = superuserEnv();
    name = await freshPosts(admin, "lost");
    await admin.close();
    const { email, password } = server();
    proxied = openEnvWith(kind, { url: proxy.url, email, password });
    await proxied.collection(name).count(); // logs in before the fault
  });
  afterAll(async () => {
    await proxied.close();
    await proxy.close();
  });

  it("is reported as of unknown outcome, not sent again, and nothing runs after it", async () => {
    await proxy.inject({ path: "^/api/batch", method: "POST", action: "drop" });
    const docs = range(0, 120).map((n) => ({ title: "lost", n }));
    const error = (await failure(() => proxied.collection(name).createMany(docs))) as BatchError;
    await proxy.inject(undefined);
    expect(error).toBeInstanceOf(BatchError);
    expect(error.index).toBe(0);
    expect(error.written).toEqual([]);
    expect(error.unknown).toEqual(range(0, CHUNK));
    expect(error.message).toMatch(/outcome of inputs 0-49 is unknown/);
    // The server did write the first chunk, once: it was not retried, and the later chunks never ran.
    const admin = superuserEnv();
    try {
      expect(await allN(admin, name)).toEqual(range(0, CHUNK));
    } finally {
      await admin.close();
    }
  });
});
