// Bad input fails before any request, with a message that says what was wrong.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, InvalidInputError, setup } from "../src/index.ts";
import { tripwire } from "./helpers.ts";
import { KINDS, openEnvWith } from "./kinds.ts";

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
    ["data that is not an object", () => env.posts!.create([1, 2] as never), /must be an object/],
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
      () => env.batch([{ method: "GET", url: "http://evil" }]),
      /must be a path/,
    ],
    ["a BigInt sent raw", () => env.send("/api/settings", { method: "PATCH", body: { x: 1n } }), /BigInt/],
    ["a clashing filter value", () => env.posts!.getFirst({ filter: { title: "ends\\" } }), /backslash/],
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
