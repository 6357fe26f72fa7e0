// Bad input fails before any request, with a message that says what was wrong.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, filter, InvalidInputError, setup } from "../src/index.ts";
import { freshPosts, tripwire } from "./helpers.ts";
import { KINDS, openEnv, openEnvWith, settle, type TestKind } from "./kinds.ts";

class Product {
  title = "a class instance";
}
class Money {
  readonly cents: number;
  constructor(cents: number) {
    this.cents = cents;
  }
  toJSON() {
    return { amount: this.cents / 100, currency: "EUR" };
  }
}
const fn = () => 1;
const sym = Symbol("s");
const AS_IS = new Map([["title", "x"]]);

/**
 * Issue 6, items 15 and 17: non-plain values and bad per-call options. Each is an InvalidInputError
 * before any request, with the same message in both kinds.
 */
function badInputCases(env: () => AsyncEnvironment): [string, () => Promise<unknown>, RegExp][] {
  const posts = () => env().posts!;
  return [
    // Item 15: filters that are not a string or a plain object meant "no filter".
    [
      "a Map as a filter",
      () => posts().list({ filter: AS_IS as never }),
      /filter must be a string or a plain object.*a Map object/,
    ],
    [
      "a Set as a filter",
      () => posts().count({ filter: new Set(["x"]) as never }),
      /filter must be .*a Set object/,
    ],
    [
      "a Date as a filter",
      () => posts().getFirst({ filter: new Date() as never }),
      /filter must be .*a Date object/,
    ],
    [
      "an array as a filter",
      () => posts().getFullList({ filter: ["title = 'x'"] as never }),
      /filter must be .*an array/,
    ],
    [
      "a class instance as a filter",
      () => posts().list({ filter: new Product() as never }),
      /filter must be .*a Product object/,
    ],
    ["a function as a filter", () => posts().count({ filter: fn as never }), /filter must be .*a function/],
    ["a symbol as a filter", () => posts().list({ filter: sym as never }), /filter must be .*a symbol/],
    [
      "params that are a Map",
      () => posts().list({ filter: "title = {:t}", params: new Map([["t", "x"]]) as never }),
      /params must be a plain object, got a Map object/,
    ],
    [
      "params that are an array",
      () => posts().count({ filter: "title = {:0}", params: ["x"] as never }),
      /params must be a plain object, got an array/,
    ],
    [
      "a function in params",
      () => posts().list({ filter: "title = {:t}", params: { t: "x", u: fn as never } }),
      /params\.u: .*got a function/,
    ],
    [
      "undefined in params",
      () => posts().list({ filter: "title = {:t}", params: { t: undefined as never } }),
      /params\.t: .*undefined/,
    ],
    [
      "an object as a filter value",
      () => posts().list({ filter: { title: { $ne: "x" } as never } }),
      /filter\.title: .*got an object/,
    ],
    [
      "a Map as a filter value",
      () => posts().list({ filter: { title: AS_IS as never } }),
      /filter\.title: .*a Map object/,
    ],
    [
      "a function as a filter value",
      () => posts().count({ filter: { title: fn as never } }),
      /filter\.title: .*a function/,
    ],
    [
      "a symbol as a filter value",
      () => posts().count({ filter: { title: sym as never } }),
      /filter\.title: .*a symbol/,
    ],
    [
      "undefined as a filter value",
      () => posts().list({ filter: { title: undefined as never } }),
      /filter\.title: .*undefined; use null/,
    ],
    [
      "a nested array as a filter value",
      () => posts().list({ filter: { title: [["x"]] as never } }),
      /filter\.title\[0\]: .*an array/,
    ],
    [
      "a symbol key in a filter",
      () => posts().list({ filter: { title: "x", [sym]: "y" } as never }),
      /filter object has a symbol key/,
    ],
    [
      "a class instance in a template",
      async () => posts().list({ filter: filter`title = ${new Product() as never}` }),
      /a Product object/,
    ],
    // Item 15: record data that JSON would change.
    ["a Map as data", () => posts().create(AS_IS as never), /data must be a plain object, got a Map object/],
    [
      "a Set as data",
      () => posts().update("abc", new Set(["x"]) as never),
      /data must be a plain object, got a Set object/,
    ],
    [
      "a class instance as data",
      () => posts().set("abc", new Product() as never),
      /data must be a plain object, got a Product object/,
    ],
    [
      "a Date as data",
      () => posts().create(new Date() as never),
      /data must be a plain object, got a Date object/,
    ],
    [
      "a nested Map",
      () => posts().create({ meta: { tags: new Map([["a", 1]]) } }),
      /data\.meta\.tags is a Map object, not plain data/,
    ],
    [
      "a nested Set",
      () => posts().update("abc", { meta: [new Set([1])] }),
      /data\.meta\[0\] is a Set object/,
    ],
    [
      "a nested class instance",
      () => posts().set("abc", { meta: new Product() }),
      /data\.meta is a Product object/,
    ],
    [
      "a nested RegExp",
      () => posts().create({ meta: { pattern: /x/ } }),
      /data\.meta\.pattern is a RegExp object/,
    ],
    ["a function field", () => posts().create({ title: "x", compute: fn }), /data\.compute is a function/],
    [
      "a function field in set()",
      () => posts().set("abc", { title: "x", compute: fn }),
      /data\.compute is a function/,
    ],
    [
      "a nested function",
      () => posts().update("abc", { meta: { deep: [1, fn] } }),
      /data\.meta\.deep\[1\] is a function/,
    ],
    ["a symbol field", () => posts().create({ title: "x", tag: sym }), /data\.tag is a symbol/],
    ["a symbol key", () => posts().create({ title: "x", [sym]: "y" } as never), /data has a symbol key/],
    [
      "a nested symbol key",
      () => posts().update("abc", { meta: { [sym]: 1 } }),
      /data\.meta has a symbol key/,
    ],
    ["undefined in an array", () => posts().create({ meta: [1, undefined] }), /data\.meta\[1\] is undefined/],
    ["a hole in an array", () => posts().create({ meta: new Array(3) }), /data\.meta\[0\] is undefined/],
    [
      "a toJSON that returns a Map",
      () => posts().create({ meta: { toJSON: () => new Map() } }),
      /data\.meta is a Map object/,
    ],
    [
      "a function in a send() body",
      () => env().send("/api/settings", { method: "PATCH", body: { meta: { x: fn } } }),
      /body\.meta\.x is a function/,
    ],
    [
      "a Map in a collection model",
      () => env().createCollection({ name: "x", fields: new Map() as never }),
      /collection\.fields is a Map object/,
    ],
    [
      "a function in a batch body",
      () => env().batch([{ method: "POST", url: "/api/collections/posts/records", body: { f: fn } }]),
      /requests\[0\]\.body\.f is a function/,
    ],
    ["a function as a collection name", () => env().has(fn as never), /invalid collection name/],
    ["a function as an id", () => posts().getOne(fn as never), /invalid record id/],
    // Item 17: per-call options.
    [
      "a negative timeout",
      () => posts().list({ timeout: -1 }),
      /timeout must be an integer number of milliseconds from 1 to 2147483647, got -1/,
    ],
    ["a zero timeout", () => posts().getOne("abc", { timeout: 0 }), /timeout must be .*got 0/],
    [
      "a string timeout",
      () => posts().create({ title: "x" }, { timeout: "abc" as never }),
      /timeout must be .*got "abc"/,
    ],
    [
      "an infinite timeout",
      () => posts().count({ timeout: Number.POSITIVE_INFINITY }),
      /timeout must be .*got Infinity/,
    ],
    ["a NaN timeout", () => posts().remove("abc", { timeout: Number.NaN }), /timeout must be .*got NaN/],
    ["a fractional timeout", () => posts().getFullList({ timeout: 1.5 }), /timeout must be .*got 1\.5/],
    [
      "a timeout over 2^31-1 ms",
      () => posts().getFirst({ timeout: 2 ** 31 }),
      /timeout must be .*got 2147483648/,
    ],
    ["a timeout in send()", () => env().send("/api/health", { timeout: -5 }), /timeout must be .*got -5/],
    [
      "a header value with CR/LF",
      () => posts().list({ headers: { "x-a": "1\r\nx-injected: 1" } }),
      /headers\["x-a"\] contains a character not allowed/,
    ],
    [
      "a header value with LF",
      () => posts().create({ title: "x" }, { headers: { "x-a": "a\nb" } }),
      /contains a character not allowed/,
    ],
    [
      "a header value with NUL",
      () => posts().getOne("abc", { headers: { "x-a": "a\0b" } }),
      /contains a character not allowed/,
    ],
    [
      "a header value above U+00FF",
      () => posts().count({ headers: { "x-a": "€" } }),
      /contains a character not allowed/,
    ],
    [
      "a header value that is a number",
      () => posts().list({ headers: { "x-a": 1 as never } }),
      /headers\["x-a"\] must be a string, got 1/,
    ],
    [
      "a header name with a space",
      () => posts().list({ headers: { "x a": "1" } }),
      /invalid header name "x a"/,
    ],
    [
      "a header name with a colon",
      () => posts().list({ headers: { "x:a": "1" } }),
      /invalid header name "x:a"/,
    ],
    ["an empty header name", () => posts().list({ headers: { "": "1" } }), /invalid header name ""/],
    [
      "a header the client manages",
      () => posts().list({ headers: { "Content-Length": "0" } }),
      /cannot set "Content-Length"/,
    ],
    [
      "headers that are a Map",
      () => posts().list({ headers: new Map() as never }),
      /headers must be a plain object .*a Map object/,
    ],
    [
      "a header with CR/LF in send()",
      () => env().send("/api/health", { headers: { "x-a": "1\r\n" } }),
      /contains a character not allowed/,
    ],
    [
      "a query value that is an object",
      () => posts().list({ query: { x: {} as never } }),
      /query\.x must be a string.*got an object/,
    ],
    [
      "a query value that is a function",
      () => posts().getOne("abc", { query: { x: fn as never } }),
      /query\.x must be .*a function/,
    ],
    [
      "a query value that is NaN",
      () => posts().count({ query: { x: Number.NaN } }),
      /query\.x must be .*got NaN/,
    ],
    [
      "a query that is an array",
      () => env().send("/api/health", { query: ["x"] as never }),
      /query must be a plain object, got an array/,
    ],
    [
      "skipTotal that is not a boolean",
      () => posts().list({ skipTotal: "yes" as never }),
      /skipTotal must be true or false, got "yes"/,
    ],
    ["a sort that is a number", () => posts().getFullList({ sort: 1 as never }), /sort must be a string/],
    ["a pageSize of 1.5", () => posts().getFullList({ pageSize: 1.5 }), /pageSize must be/],
    ["expand that is an object", () => posts().getFullList({ expand: {} as never }), /expand must be/],
    [
      "options that are a Map",
      () => posts().list(new Map() as never),
      /list\(\) options must be a plain object, got a Map object/,
    ],
    [
      "getFirst options that are a Map",
      () => posts().getFirst(new Map() as never),
      /getFirst\(\) options must be a plain object/,
    ],
    [
      "options that are a class instance",
      () => posts().getOne("abc", new Product() as never),
      /getOne\(\) options must be a plain object, got a Product object/,
    ],
    [
      "an unknown send() option",
      () => env().send("/api/health", { metod: "POST" } as never),
      /unknown option "metod" for send\(\)/,
    ],
    [
      "an unknown send() method",
      () => env().send("/api/health", { method: "FETCH" as never }),
      /send\(\) method must be one of/,
    ],
    [
      "anonymous that is not a boolean",
      () => env().send("/api/health", { anonymous: 1 as never }),
      /anonymous must be true or false/,
    ],
    ["a send() path that is not a path", () => env().send("api/health"), /path starting with "\/"/],
    // Bulk helpers name the caller's own input and its position, not the batch request they become.
    [
      "NaN in the third doc of createMany",
      () => posts().createMany([{ n: 1 }, { n: 2 }, { n: Number.NaN }]),
      /^pocketmap: docs\[2\]\.n is NaN/,
    ],
    [
      "a Map in the second patch of updateMany",
      () =>
        posts().updateMany([{ id: "aaaaaaaaaaaaaaa" }, { id: "bbbbbbbbbbbbbbb", tags: new Map() } as never]),
      /^pocketmap: patches\[1\]\.tags is a Map object/,
    ],
    [
      "a function in the second doc of upsertMany",
      () => posts().upsertMany([{ n: 1 }, { n: 2, f: fn } as never]),
      /^pocketmap: docs\[1\]\.f is a function/,
    ],
    [
      "a Set nested in a doc of createMany",
      () => posts().createMany([{ meta: { tags: [1, new Set([2])] } }]),
      /^pocketmap: docs\[0\]\.meta\.tags\[1\] is a Set object/,
    ],
  ];
}

describe.each(KINDS)("bad input is refused before any request (%s kind)", (kind) => {
  let wire: Awaited<ReturnType<typeof tripwire>>;
  let env: AsyncEnvironment;

  beforeAll(async () => {
    wire = await tripwire();
    env = openEnvWith(kind, { url: wire.url, email: "a@b.test", password: "secret-password", timeout: 200 });
  });
  afterAll(async () => {
    await env.close();
    await wire.close();
  });

  const circular: Record<string, unknown> = { title: "loop" };
  circular.self = circular;

  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      "a collection name with a path",
      async () => env.collection("../settings").list(),
      /invalid collection name/,
    ],
    ["a collection name with a slash", async () => env.collection("a/b").list(), /invalid collection name/],
    ["an empty collection name", async () => env.collection("").list(), /invalid collection name/],
    [
      "a too long collection name",
      async () => env.collection("x".repeat(256)).list(),
      /invalid collection name/,
    ],
    ["an id with a path", () => env.posts!.getOne("../settings"), /invalid record id/],
    ["an id with a slash", () => env.posts!.get("a/b"), /invalid record id/],
    ["an empty id", () => env.posts!.delete(""), /invalid record id/],
    ["a too long id", () => env.posts!.has("x".repeat(256)), /invalid record id/],
    ["an id with a query", () => env.posts!.update("abc?x=1", { a: 1 }), /invalid record id/],
    ["an id that is not a string", () => env.posts!.set(42 as never, { a: 1 }), /invalid record id/],
    ["an unknown list option", () => env.posts!.list({ filters: "x" } as never), /unknown option "filters"/],
    [
      "an unknown getOne option",
      () => env.posts!.getOne("abc", { expnd: "a" } as never),
      /unknown option "expnd"/,
    ],
    ["expand 7 levels deep", () => env.posts!.getOne("abc", { expand: "a.b.c.d.e.f.g" }), /7 levels deep/],
    [
      "expand 7 levels deep in a list",
      () => env.posts!.list({ expand: ["ok", "a.b.c.d.e.f.g"] }),
      /at most 6/,
    ],
    ["a BigInt value", () => env.posts!.create({ n: 10n }), /data\.n is a BigInt/],
    ["a nested BigInt", () => env.posts!.update("abc", { meta: { deep: [1, 2n] } }), /data\.meta\.deep\[1\]/],
    ["a circular value", () => env.posts!.create(circular), /circular/],
    ["NaN", () => env.posts!.create({ n: Number.NaN }), /NaN/],
    ["data that is not an object", () => env.posts!.create([1, 2] as never), /must be a plain object/],
    ["a JSON string that is not JSON", () => env.posts!.create("{nope"), /not valid JSON/],
    [
      "a filter key with an operator",
      () => env.posts!.list({ filter: { "n > 1 || id": 1 } }),
      /not a field path/,
    ],
    ["a filter value of an odd type", () => env.posts!.list({ filter: { n: {} as never } }), /filter values/],
    [
      "an unbound placeholder",
      () => env.posts!.count({ filter: "n = {:n}", params: {} }),
      /\{:n\} has no value/,
    ],
    ["a perPage over 1000", () => env.posts!.list({ perPage: 5000 }), /perPage must be/],
    ["a page of zero", () => env.posts!.list({ page: 0 }), /page must be/],
    ["deleteMany with a bad id", () => env.posts!.deleteMany(["okid", "../x"]), /invalid record id/],
    [
      "a bad value in the last request of a batch",
      () =>
        env.batch([
          ...Array.from({ length: 120 }, () => ({
            method: "POST" as const,
            url: "/api/collections/posts/records",
          })),
          { method: "POST", url: "/api/collections/posts/records", body: { n: 1n } },
        ]),
      /requests\[120\]\.body\.n is a BigInt/,
    ],
    [
      "a batch request with no path",
      () => env.batch([{ method: "POST", url: "http://evil" }]),
      /must be a path/,
    ],
    ["a BigInt sent raw", () => env.send("/api/settings", { method: "PATCH", body: { x: 1n } }), /BigInt/],
    ["a clashing filter value", () => env.posts!.getFirst({ filter: { title: "ends\\" } }), /backslash/],
    ...badInputCases(() => env),
  ];

  it.each(cases)("%s", async (_label, call, message) => {
    // Promise.resolve().then() catches the sync kind's throw and the async kind's rejection alike.
    const error = await Promise.resolve()
      .then(call)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    expect(wire.connections).toBe(0);
  });

  it("setup() refuses unknown options and half credentials", () => {
    expect(() => openEnvWith(kind, { url: wire.url, timout: 5 } as never)).toThrow(/unknown option "timout"/);
    expect(() => setup({ async: true, url: "ftp://x" })).toThrow(/http or https/);
    expect(() => setup({ async: true, url: "not a url" })).toThrow(/not a valid URL/);
    expect(() => setup({ async: true, url: wire.url, email: "a@b.test" })).toThrow(/without a password/);
    expect(() => setup({ async: true, url: wire.url, timeout: -1 })).toThrow(/timeout must be/);
    // Node timers fire at once beyond 2^31-1 ms.
    expect(() => setup({ async: true, url: wire.url, timeout: 2 ** 31 })).toThrow(
      /timeout must be .*2147483647/,
    );
    expect(wire.connections).toBe(0);
  });

  it("never shows the password in errors or when inspected", async () => {
    const { inspect } = await import("node:util");
    expect(inspect(env, { depth: 10, showHidden: true })).not.toContain("secret-password");
    const error = await Promise.resolve()
      .then(() => env.posts!.list())
      .catch((caught: unknown) => caught);
    expect(String((error as Error).message)).not.toContain("secret-password");
    expect(JSON.stringify(error)).not.toContain("secret-password");
  });
});

describe.each(KINDS)("setup() checks headers with the per-call rules (%s kind)", (kind) => {
  it.each([
    [{ "x-a": "1\r\nx-b: 2" }, /headers\["x-a"\] contains a character not allowed/],
    [{ "bad name": "1" }, /invalid header name "bad name"/],
    [{ "x-a": 1 }, /headers\["x-a"\] must be a string/],
    [new Map(), /headers must be a plain object/],
    [{ Connection: "close" }, /cannot set "Connection"/],
  ] as [unknown, RegExp][])("refuses %o", async (headers, message) => {
    const wire = await tripwire();
    try {
      const error = await settle(() => openEnvWith(kind, { url: wire.url, headers: headers as never })).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(message);
      expect(wire.connections).toBe(0);
    } finally {
      await wire.close();
    }
  });
});

describe("both kinds refuse bad input with the same message", () => {
  let wire: Awaited<ReturnType<typeof tripwire>>;
  const envs = {} as Record<TestKind, AsyncEnvironment>;

  beforeAll(async () => {
    wire = await tripwire();
    for (const kind of KINDS)
      envs[kind] = openEnvWith(kind, { url: wire.url, email: "a@b.test", password: "pw" });
  });
  afterAll(async () => {
    for (const kind of KINDS) await envs[kind].close();
    await wire.close();
  });

  it("for every case of issue 6 items 15 and 17", async () => {
    const messages = {} as Record<TestKind, string[]>;
    for (const kind of KINDS) {
      messages[kind] = [];
      for (const [label, call] of badInputCases(() => envs[kind])) {
        const error = await settle(call).catch((caught: unknown) => caught);
        messages[kind].push(
          `${label}: ${error instanceof InvalidInputError ? error.message : String(error)}`,
        );
      }
    }
    expect(messages.sync).toEqual(messages.async);
    expect(wire.connections).toBe(0);
  });

  it("a signal that is not an AbortSignal is refused in both (the sync kind takes no signal at all)", async () => {
    const asyncError = await settle(() => envs.async.posts!.list({ signal: "abc" as never })).catch((e) => e);
    expect(asyncError).toBeInstanceOf(InvalidInputError);
    expect(asyncError.message).toMatch(/signal must be an AbortSignal, got "abc"/);
    const syncError = await settle(() => envs.sync.posts!.list({ signal: "abc" as never })).catch((e) => e);
    expect(syncError).toBeInstanceOf(InvalidInputError);
    expect(wire.connections).toBe(0);
  });
});

describe.each(KINDS)("plain data and good options still pass (%s kind)", (kind) => {
  const env = openEnv(kind);
  let name: string;

  beforeAll(async () => {
    name = await freshPosts(env, "plain");
  });
  afterAll(() => env.close());

  it("stores Dates and toJSON objects as JSON would, and drops undefined fields", async () => {
    const when = new Date("2024-05-06T07:08:09.010Z");
    const posts = env[name]!;
    const created = await posts.create({
      title: "kept",
      body: undefined,
      published: when,
      meta: { when, price: new Money(1234), list: [1, "a", null, { x: true }], none: undefined },
    });
    expect(created.title).toBe("kept");
    expect(created.body).toBe("");
    expect(created.published).toBe("2024-05-06 07:08:09.010Z");
    expect(created.meta).toEqual({
      when: "2024-05-06T07:08:09.010Z",
      price: { amount: 12.34, currency: "EUR" },
      list: [1, "a", null, { x: true }],
    });
    const updated = await posts.update(created.id, { title: undefined, n: 5, meta: new Money(99) });
    expect(updated.title).toBe("kept");
    expect(updated.n).toBe(5);
    expect(updated.meta).toEqual({ amount: 0.99, currency: "EUR" });
    await posts.set(created.id, { meta: { price: new Money(1) } });
    expect((await posts.getOne(created.id)).meta).toEqual({ price: { amount: 0.01, currency: "EUR" } });
  });

  it("sends valid per-call headers, timeouts and query values", async () => {
    const posts = env[name]!;
    const options = {
      headers: { "x-trace": "abc" },
      timeout: 5000,
      query: { a: 1, b: true, c: null, d: "x" },
    };
    expect(await posts.count(options)).toBeGreaterThan(0);
    expect(
      (await posts.list({ ...options, skipTotal: false, filter: Object.create(null) })).totalItems,
    ).toBeGreaterThan(0);
    expect(await env.send("/api/health", { ...options, anonymous: true })).toMatchObject({ code: 200 });
  });
});
