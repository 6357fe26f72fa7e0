// Damaged answers from a fault-injecting proxy in front of the real PocketBase: a 2xx body that is
// not what the operation expects is an error, and no error ever carries the request's secrets.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BadRequestError, BatchError, PocketBaseError, ServerError } from "../src/index.ts";
import { type FaultProxy, faultProxy } from "./fault-proxy.ts";
import { freshPosts, superuserEnv, superuserToken } from "./helpers.ts";
import { failure, KINDS, openEnvWith } from "./kinds.ts";

let proxy: FaultProxy;
let name: string;
let recordId: string;
let token: string;

beforeAll(async () => {
  proxy = await faultProxy();
  const admin = superuserEnv();
  name = await freshPosts(admin, "faults");
  for (let n = 0; n < 3; n++) recordId = (await admin.collection(name).create({ title: `t${n}`, n })).id;
  await admin.close();
  token = await superuserToken();
});
afterAll(() => proxy.close());

describe.each(KINDS)("a damaged 2xx answer is an error (%s kind)", (kind) => {
  let proxied: ReturnType<typeof openEnvWith>;
  beforeAll(() => {
    proxied = openEnvWith(kind, { url: proxy.url, token, retries: 0 });
  });
  afterAll(() => proxied.close());
  const records = `/api/collections/\\w+/records`;

  it("truncated JSON", async () => {
    await proxy.inject({ path: `${records}(\\?|$)`, action: "truncate" });
    const error = await failure(() => proxied.collection(name).list());
    expect(error).toBeInstanceOf(PocketBaseError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/not valid JSON \(application\/json, \d+ bytes\)/);
    expect(error.message).not.toContain('"items"');
  });

  it("an HTML page", async () => {
    await proxy.inject({ path: `${records}/`, action: "html" });
    const error = await failure(() => proxied.collection(name).getOne(recordId));
    expect(error).toBeInstanceOf(PocketBaseError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/not valid JSON \(text\/html/);
    expect(error.message).not.toContain("nginx");
  });

  it("an empty 200 where a body is expected", async () => {
    await proxy.inject({ path: records, action: "empty" });
    const count = await failure(() => proxied.collection(name).count());
    expect(count).toBeInstanceOf(PocketBaseError);
    expect(count.message).toMatch(/empty body where a list of records was expected/);
    expect(await failure(() => proxied.collection(name).getFullList())).toBeInstanceOf(PocketBaseError);
    expect(await failure(() => proxied.collection(name).create({ title: "x" }))).toBeInstanceOf(
      PocketBaseError,
    );
    expect(await failure(() => proxied.collection(name).get(recordId))).toBeInstanceOf(PocketBaseError);
  });

  it("JSON of the wrong shape", async () => {
    await proxy.inject({ path: records, action: "json", body: '{"items":"nope","page":1}' });
    const list = await failure(() => proxied.collection(name).size);
    expect(list.message).toMatch(/a list without an items array/);
    await proxy.inject({ path: records, action: "json", body: '{"title":"no id"}' });
    expect((await failure(() => proxied.collection(name).getOne(recordId))).message).toMatch(
      /a record without a string id/,
    );
    await proxy.inject({ path: records, action: "json", body: "[]" });
    expect((await failure(() => proxied.collection(name).create({ title: "x" }))).message).toMatch(
      /an array where a record was expected/,
    );
  });

  it("the same full page answered again and again: an error, not a read for ever", async () => {
    // As from a cache in front of the server that ignores the query string.
    const items = ["aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbb"].map((id) => ({ id, collectionName: name, n: 1 }));
    const body = JSON.stringify({ page: 1, perPage: 2, totalItems: -1, totalPages: -1, items });
    await proxy.inject({ path: `${records}\\?`, action: "json", body });
    for (const options of [{ pageSize: 2 }, { pageSize: 2, sort: "n" }]) {
      const seen: string[] = [];
      const error = await failure(async () => {
        for await (const record of proxied.collection(name).iterate(options)) seen.push(record.id);
      });
      expect(error).toBeInstanceOf(PocketBaseError);
      expect(error.message).toMatch(/answered a full page that does not move past/);
      expect(seen).toEqual(["aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbb"]);
    }
  });

  it("a damaged later page: the records before it arrive, then the error", async () => {
    // Pages after the first carry the keyset filter ("id > last"); damage only those.
    await proxy.inject({ path: `${records}\\?.*filter=`, action: "truncate" });
    const seen: string[] = [];
    const error = await failure(async () => {
      for await (const record of proxied.collection(name).iterate({ pageSize: 2 })) seen.push(record.id);
    });
    expect(error).toBeInstanceOf(PocketBaseError);
    expect(error.message).toMatch(/not valid JSON/);
    expect(seen).toHaveLength(2);
    // Stopping early, with the next page already asked for, leaves nothing behind.
    await proxy.inject(undefined);
    for await (const record of proxied.collection(name).iterate({ pageSize: 1 })) {
      expect(typeof record.id).toBe("string");
      break;
    }
    expect(await proxied.collection(name).count()).toBeGreaterThanOrEqual(3);
  });

  it("a batch failure that names a request the chunk does not have fails the chunk, not the client", async () => {
    const body = JSON.stringify({
      status: 400,
      message: "Batch transaction failed.",
      data: { requests: { 7: { code: "batch_request_failed", response: { status: 400, message: "x" } } } },
    });
    await proxy.inject({ path: "^/api/batch", action: "json", status: 400, body });
    // Nothing of the one chunk was written: the server's own error, as it is.
    const created = await failure(() =>
      proxied.collection(name).createMany([{ title: "a" }, { title: "b" }]),
    );
    const deleted = await failure(() =>
      proxied.collection(name).deleteMany(["aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbb"]),
    );
    for (const error of [created, deleted]) {
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).not.toBeInstanceOf(BatchError); // no input of this job is to blame
      expect(error.message).toBe("Batch transaction failed.");
    }
  });

  it("bulk answers that are not records are errors, in a batch and one by one", async () => {
    const garbled = [
      { status: 200, body: null },
      { status: 200, body: { id: "aaaaaaaaaaaaaaa" } },
    ];
    await proxy.inject({ path: "^/api/batch", action: "json", body: JSON.stringify(garbled) });
    const batch = await failure(() => proxied.collection(name).createMany([{ title: "a" }, { title: "b" }]));
    expect(batch).toBeInstanceOf(BatchError);
    expect(batch.message).toMatch(/without a record for input 0/);
    expect((batch as BatchError).unknown).toEqual([0, 1]); // answered, but what was written is in doubt
    // Batch refused (as when it is disabled), and the single create answered with something else.
    await proxy.inject([
      {
        path: "^/api/batch",
        action: "json",
        status: 403,
        body: '{"status":403,"message":"Batch requests are not allowed.","data":{}}',
      },
      { path: `${records}$`, method: "POST", action: "json", body: '{"title":"no id"}' },
    ]);
    const single = await failure(() => proxied.collection(name).createMany([{ title: "c" }]));
    expect(single).toBeInstanceOf(PocketBaseError);
    expect(single.message).toMatch(/a record without a string id/);
  });

  it("undamaged answers pass through, including an empty 204", async () => {
    await proxy.inject(undefined);
    const created = await proxied.collection(name).create({ title: "through the proxy" });
    expect(await proxied.collection(name).getOne(created.id, { fields: "title" })).toEqual({
      title: "through the proxy",
    });
    expect(await proxied.collection(name).delete(created.id)).toBe(true);
    expect(await proxied.collection(name).get(created.id)).toBeUndefined();
    expect(await proxied.collection(name).count()).toBeGreaterThanOrEqual(3);
  });
});

describe.each(KINDS)("pages read two at a time, while someone else writes (%s kind)", (kind) => {
  // After a full first page, pages are read in pairs from a cursor: the pair's second (offset
  // pageSize - 1) overlaps its first by one record. The proxy makes a change after the pair's first
  // was read and before its second is; the second then no longer starts at the first's last record and
  // must be read again from there, or a record would be skipped or handed out twice.
  let proxied: ReturnType<typeof openEnvWith>;
  let admin: ReturnType<typeof superuserEnv>;
  let pages: string;
  // 12 records with ids in a known order, read 4 a page: the lone first page holds ids 10-40, the
  // first pair reads 50-80 and (from 80 on) 80-100.
  const id = (n: number) => `p${String(n).padStart(14, "0")}`;
  const ids = Array.from({ length: 12 }, (_, n) => id((n + 1) * 10));
  const between = (side: { method: string; path: string; body?: string }) =>
    proxy.inject({
      path: `/api/collections/${pages}/records\\?(.*&)?page=2(&|$)`,
      // The pair's first: page 1 with the keyset filter (the lone first page has no filter).
      after: `/api/collections/${pages}/records\\?(?=.*filter=)(.*&)?page=1(&|$)`,
      action: "between",
      side,
    });
  beforeAll(() => {
    proxied = openEnvWith(kind, { url: proxy.url, token, retries: 0 });
    admin = superuserEnv();
  });
  afterAll(async () => {
    await proxy.inject(undefined);
    await Promise.all([proxied.close(), admin.close()]);
  });
  beforeEach(async () => {
    pages = await freshPosts(admin, "pairs");
    await admin.collection(pages).createMany(ids.map((id, n) => ({ id, n })));
  });
  const read = async () => {
    const seen: string[] = [];
    for await (const record of proxied.collection(pages).iterate({ pageSize: 4 })) seen.push(record.id);
    return seen;
  };

  it("a record the pair's first page held is deleted: none of the others is skipped", async () => {
    await between({ method: "DELETE", path: `/api/collections/${pages}/records/${id(50)}` });
    expect(await read()).toEqual(ids);
    expect(await admin.collection(pages).has(id(50))).toBe(false); // the change did happen
  });

  it("a loop that stops early aborts the two pages asked for ahead", async () => {
    // The pair after the lone first page never gets an answer: only an abort closes its connections.
    await proxy.inject({ path: `/api/collections/${pages}/records\\?(?=.*filter=)`, action: "hang" });
    // The sync kind pulls one record per round trip here, so that its loop can stop mid-page too.
    const before = process.env.POCKETMAP_SYNC_CHUNK;
    process.env.POCKETMAP_SYNC_CHUNK = "1";
    const reader = openEnvWith(kind, { url: proxy.url, token, retries: 0 });
    if (before === undefined) delete process.env.POCKETMAP_SYNC_CHUNK;
    else process.env.POCKETMAP_SYNC_CHUNK = before;
    const statuses: number[] = [];
    reader.on("request", ({ data }) => {
      statuses.push(data.status);
    });
    try {
      for await (const record of reader.collection(pages).iterate({ pageSize: 4 })) {
        expect(record.id).toBe(ids[0]);
        // Both requests of the pair have reached the proxy, which holds them.
        await expect.poll(() => proxy.hung(), { timeout: 10_000 }).toEqual({ hanging: 2, released: 0 });
        break;
      }
      await expect.poll(() => proxy.hung(), { timeout: 10_000 }).toEqual({ hanging: 0, released: 2 });
      await new Promise((resolve) => setImmediate(resolve));
      // The lone first page answered, the two aborted requests reported without an answer.
      expect(statuses.sort()).toEqual([0, 0, 200]);
    } finally {
      await reader.close();
    }
  });

  it("a record is added inside the pair's first page: none is handed out twice", async () => {
    await between({
      method: "POST",
      path: `/api/collections/${pages}/records`,
      body: JSON.stringify({ id: id(55), n: -1 }),
    });
    // Added behind that page once it was read: not seen, as with one page at a time.
    expect(await read()).toEqual(ids);
    expect(await admin.collection(pages).has(id(55))).toBe(true);
  });
});

describe.each(KINDS)("no secret in an error, whatever the server echoes (%s kind)", (kind) => {
  // Never sent to PocketBase: the proxy answers the login itself. Characters JSON must escape, too.
  const password = `pa"ss\\wörd/${Math.random().toString(36).slice(2)}`;

  function expectNoSecret(error: PocketBaseError, secret: string) {
    const escaped = JSON.stringify(secret).slice(1, -1);
    for (const text of [
      error.message,
      JSON.stringify(error.data),
      JSON.stringify(error),
      String(error.stack),
      String(error),
      error.url,
    ]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(escaped);
    }
  }

  it.each(["echo", "echo-text"] as const)("superuser login answered with %s", async (action) => {
    await proxy.inject({ path: "auth-with-password", action });
    const env = openEnvWith(kind, { url: proxy.url, email: "root@example.com", password, retries: 0 });
    try {
      const error = await failure(() => env.collection(name).list());
      expect(error).toBeInstanceOf(ServerError);
      expect(error.status).toBe(500);
      expectNoSecret(error, password);
      if (action === "echo") {
        // The echo still says what it can, secrets redacted.
        expect(error.message).toContain("root@example.com");
        expect(error.message).toContain("[redacted]");
      } else expect(error.message).toMatch(/^HTTP 500 \(text\/plain, \d+ bytes, not JSON\)$/);
    } finally {
      await env.close();
    }
  });

  it.each(["echo", "echo-text"] as const)("a request with a token answered with %s", async (action) => {
    await proxy.inject({ path: "/records", action });
    const env = openEnvWith(kind, { url: proxy.url, token, retries: 0 });
    try {
      const error = await failure(() =>
        env.collection(name).create({ title: "x", password: "hunter2-secret" }),
      );
      expect(error).toBeInstanceOf(ServerError);
      expectNoSecret(error, token);
      expectNoSecret(error, "hunter2-secret");
    } finally {
      await env.close();
    }
  });
});
