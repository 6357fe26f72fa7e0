// Parity generated from the method tables: every method of every table (the environment, a
// collection, its auth namespace, each service) gets the same bad inputs and the same crossing values
// in both kinds, with no case written per method. A new table entry is covered without a new test;
// a parameter of a kind this file has no sample for fails the suite and says which one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionChecks } from "../src/abstract/option-checks.ts";
import type { AnyParam } from "../src/abstract/params.ts";
import {
  authSurface,
  collectionSurface,
  type Entry,
  environmentSurface,
  serviceSurfaces,
} from "../src/abstract/surface.ts";
import { type AsyncEnvironment, PocketmapError } from "../src/index.ts";
import { freshPosts, superuserEnv, tripwire } from "./helpers.ts";
import { KINDS, openEnv, openEnvWith, settle, type TestKind } from "./kinds.ts";

type Target = Record<string, (...args: unknown[]) => unknown>;

/** Every table, with how to reach its target on an environment. */
type Reach = (env: AsyncEnvironment, collection: string) => Target;
const TABLES: (readonly [string, Readonly<Record<string, Entry>>, Reach])[] = [
  ["env", environmentSurface, (env) => env as unknown as Target],
  ["collection", collectionSurface, (env, name) => env.collection(name) as unknown as Target],
  ["auth", authSurface, (env, name) => env.collection(name).auth as unknown as Target],
  ...Object.entries(serviceSurfaces).map(
    ([path, surface]) =>
      [
        path,
        surface as Readonly<Record<string, Entry>>,
        (env: AsyncEnvironment) =>
          path.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], env) as Target,
      ] as const,
  ),
];

const ENTRIES = TABLES.flatMap(([table, surface, reach]) =>
  Object.entries(surface).map(([method, entry]) => ({ label: `${table}.${method}`, method, entry, reach })),
);

/** A valid value for each parameter, by its name: what the positions before a bad one hold. */
const VALID: Record<string, unknown> = {
  id: "abcdefghijklmno",
  name: "posts",
  data: { title: "x" },
  docs: [{ title: "x" }],
  patches: [{ id: "abcdefghijklmno", title: "x" }],
  ids: ["abcdefghijklmno"],
  requests: [],
  collection: { name: "x" },
  identity: "header.payload.signature",
  topic: "*",
  token: "header.payload.signature",
  path: "/api/health",
  callback: () => {},
  options: undefined,
  duration: 0,
  model: { name: "x" },
  patch: { listRule: "" },
  models: [{ name: "x" }],
  query: "select 1",
  key: "pb_backup_20260102030405.zip",
  backupName: "backup.zip",
  file: new Uint8Array([0x50, 0x4b]),
  uploadName: "upload.zip",
  filesystem: "storage",
  to: "someone@pocketmap.test",
  template: "verification",
  apple: {
    clientId: "com.pocketmap.test",
    teamId: "TEAM123456",
    keyId: "KEY1234567",
    privateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    duration: 60,
  },
  record: { id: "abcdefghijklmno", collectionName: "posts" },
  filename: "a.txt",
  source: { url: "http://127.0.0.1:9" },
  target: { url: "http://127.0.0.1:9" },
  a: { url: "http://127.0.0.1:9" },
  b: { url: "http://127.0.0.1:9" },
};
const TEXT = new Set([
  "password",
  "passwordConfirm",
  "email",
  "newEmail",
  "otpId",
  "code",
  "codeVerifier",
  "provider",
  "redirectURL",
]);

function valid(p: AnyParam, where: string): unknown {
  if (TEXT.has(p.name)) return "a-value";
  if (!Object.hasOwn(VALID, p.name)) {
    throw new Error(
      `parity.test.ts has no valid sample for parameter "${p.name}" of ${where}: add one to VALID`,
    );
  }
  return VALID[p.name];
}

const fn = () => 1;
const sym = Symbol("bad");

/** The bad values every parameter gets (a callback's function is its valid value, so it gets a string). */
function badValues(p: AnyParam): [string, unknown][] {
  const bad: [string, unknown][] = [
    ["a symbol", sym],
    ["NaN", Number.NaN],
    ["a Map", new Map([["a", 1]])],
  ];
  // A callback's valid value is a function, and so is env.batch()'s builder.
  if ("isCallback" in p) bad.push(["a string", "not a function"]);
  else if (p.name !== "requests") bad.push(["a function", fn]);
  if (p.optionKind !== undefined) {
    bad.push(["an unknown option", { nope: 1 }]);
    // Every option of the kind, each with values it must refuse.
    for (const [key, check] of Object.entries(optionChecks[p.optionKind])) {
      const refused: [string, unknown][] = [
        ["a symbol", sym],
        ["NaN", Number.NaN],
        "callback" in check ? ["a string", "not a function"] : ["a function", fn],
      ];
      if (key === "timeout") refused.push(["-5", -5]);
      for (const [what, value] of refused) bad.push([`{ ${key}: ${what} }`, { [key]: value }]);
    }
  }
  if (["data", "docs", "patches"].includes(p.name)) {
    const inside = (value: unknown) => (p.name === "data" ? value : [value]);
    bad.push(
      ["a field holding a function", inside({ id: "abcdefghijklmno", title: fn })],
      ["a field holding a symbol", inside({ id: "abcdefghijklmno", title: sym })],
      ["a field holding NaN", inside({ id: "abcdefghijklmno", n: Number.NaN })],
    );
  }
  return bad;
}

/** Calls `method`, and pulls the first item of what it returns when that is an iterator. */
function run(target: Target, method: string, args: unknown[]): Promise<unknown> {
  return settle(async () => {
    const result = (await target[method]!(...args)) as unknown;
    if (result && typeof result === "object") {
      if (Symbol.asyncIterator in result)
        await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
      else if (Symbol.iterator in result && !Array.isArray(result)) {
        (result as Iterable<unknown>)[Symbol.iterator]().next();
      }
    }
    return result;
  });
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ ok: true as const }),
    (error: Error) => ({ ok: false as const, class: error.constructor.name, message: error.message }),
  );

const BAD_CASES = ENTRIES.flatMap(({ label, method, entry, reach }) =>
  entry.params.flatMap((p, position) =>
    badValues(p).map(([what, value]) => ({
      name: `${label}: ${p.name} (#${position + 1}) as ${what}`,
      method,
      reach,
      args: [...entry.params.slice(0, position).map((q) => valid(q, label)), value],
    })),
  ),
);

describe("bad input, the same in both kinds, before any request", () => {
  let wire: Awaited<ReturnType<typeof tripwire>>;
  const envs = {} as Record<TestKind, AsyncEnvironment>;
  beforeAll(async () => {
    wire = await tripwire();
    for (const kind of KINDS) {
      envs[kind] = openEnvWith(kind, {
        url: wire.url,
        token: "header.payload.signature",
        timeout: 300,
        retries: 0,
      });
    }
  });
  afterAll(async () => {
    for (const kind of KINDS) await envs[kind].close();
    await wire.close();
  });

  it("covers every method of every table", () => {
    const covered = new Set(BAD_CASES.map((c) => c.name.split(":")[0]));
    for (const { label, entry } of ENTRIES) if (entry.params.length > 0) expect(covered).toContain(label);
  });

  it.each(BAD_CASES)("$name", async ({ method, reach, args }) => {
    const [async, sync] = await Promise.all(
      KINDS.map((kind) => outcome(run(reach(envs[kind], "posts"), method, args))),
    );
    expect(async, "the async kind refuses it").toMatchObject({ ok: false });
    expect(sync, "the sync kind fails the same way").toEqual(async);
    expect(wire.connections, "nothing was sent").toBe(0);
  });

  it("every error above is a PocketmapError", async () => {
    const { method, reach, args } = BAD_CASES[0]!;
    for (const kind of KINDS) {
      const error = await run(reach(envs[kind], "posts"), method, args).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PocketmapError);
    }
  });
});

// Crossing values: what the sync kind's worker receives must mean what the async kind's call meant.

class Money {
  readonly cents: number;
  constructor(cents: number) {
    this.cents = cents;
  }
  toJSON() {
    return `${(this.cents / 100).toFixed(2)} EUR`;
  }
}
const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [2, { c: 3 }] });

/** Record data holding each crossing value: class with toJSON, null prototype, Date, nested arrays, marker-like strings. */
const payload = () => ({
  title: "pocketmap:onProgress",
  body: new Money(1250),
  published: new Date("2026-01-02T03:04:05.000Z"),
  meta: { money: new Money(99), bare, nested: [[1, [2, [new Date(0), "pocketmap:callback"]]]] },
});
/** What JSON makes of it: what both kinds must store. */
const STORED = {
  title: "pocketmap:onProgress",
  body: "12.50 EUR",
  published: "2026-01-02 03:04:05.000Z",
  meta: {
    money: "0.99 EUR",
    bare: { a: 1, b: [2, { c: 3 }] },
    nested: [[1, [2, ["1970-01-01T00:00:00.000Z", "pocketmap:callback"]]]],
  },
};
const SEEDED = "paritysee000001";

/**
 * The arguments that carry `payload()` into a collection named `name`, by parameter name; a method
 * whose parameters include none of these carries no record data.
 */
const CARRIERS: Record<string, (name: string) => unknown> = {
  data: () => payload(),
  docs: () => [payload()],
  patches: () => [{ id: SEEDED, ...payload() }],
  requests: (name) => (b: { collection(n: string): { create(d: unknown): void } }) =>
    b.collection(name).create(payload()),
};
/** The environment's `send()` carries it as its options' body. */
const SEND_OPTIONS = () => ({ method: "POST", body: payload(), query: { fields: "id" } }) as const;

const CROSSING_CASES = ENTRIES.filter(
  ({ label, entry }) => entry.params.some((p) => Object.hasOwn(CARRIERS, p.name)) || label === "env.send",
);

describe("crossing values, stored the same by both kinds", () => {
  const admin = superuserEnv();
  const envs = {} as Record<TestKind, AsyncEnvironment>;
  beforeAll(() => {
    for (const kind of KINDS) envs[kind] = openEnv(kind);
  });
  afterAll(async () => {
    for (const kind of KINDS) await envs[kind].close();
    await admin.close();
  });

  it("covers every method that carries record data", () => {
    expect(CROSSING_CASES.map((c) => c.label)).toEqual(
      expect.arrayContaining([
        "collection.create",
        "collection.update",
        "collection.set",
        "env.batch",
        "env.send",
      ]),
    );
  });

  it.each(CROSSING_CASES)("$label", async ({ label, method, entry, reach }) => {
    const stored = {} as Record<TestKind, unknown[]>;
    for (const kind of KINDS) {
      const name = await freshPosts(admin, "parity");
      await admin.collection(name).set(SEEDED, { title: "seed" });
      const args = entry.params.map((p) => {
        if (label === "env.send" && p.name === "path") return `/api/collections/${name}/records`;
        if (label === "env.send" && p.name === "options") return SEND_OPTIONS();
        if (p.name === "id") return SEEDED;
        if (Object.hasOwn(CARRIERS, p.name)) return CARRIERS[p.name]!(name);
        return valid(p, label);
      });
      await run(reach(envs[kind], name), method, args);
      const records = await admin
        .collection(name)
        .getFullList({ fields: "title,body,published,meta", sort: "title" });
      stored[kind] = records;
      await admin.delete(name);
    }
    expect(stored.async).toContainEqual(expect.objectContaining(STORED));
    expect(stored.sync).toEqual(stored.async);
  });
});
