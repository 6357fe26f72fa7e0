// Crossing values, generated from the method tables: what the sync kind's worker receives must mean
// what the async kind's call meant. Every method with a parameter that carries record data, and every
// one that carries a service's body (a collection model, a settings patch), gets data holding a class
// with toJSON, a null prototype, a Date, nested arrays and strings that look like markers, in both
// kinds; the suite compares what the server kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncEnvironment } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { freshPosts, privateServer, superuserEnv, uniqueName } from "./helpers.ts";
import { KINDS, openEnv, openEnvWith, type TestKind } from "./kinds.ts";
import { ENTRIES, run, valid } from "./parity-tables.ts";

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

// Service bodies: what each describes follows from its table (the settings for admin.settings, a
// collection for every other), and a method that names its collection changes one that exists, where
// the others create it from the body. Settings are the server's own, so these run on a private one.

/** A filter rule as a class, as an application might keep one: JSON sends its text. */
class Rule {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toJSON() {
    return this.text;
  }
}

/** The parameters that carry a service's body, by name; `models` carries a list of them. */
const BODY_PARAMS = new Set(["collection", "model", "patch", "models"]);

/** A collection model (or patch) holding each crossing value in its rules, fields and indexes. */
const modelShape = (name: string) => ({
  listRule: new Rule('title != "pocketmap:onProgress"'),
  viewRule: "title != 'pocketmap:callback'",
  fields: [
    Object.assign(Object.create(null) as Record<string, unknown>, { name: "title", type: "text" }),
    { name: "published", type: "date", min: new Date("2026-01-02T03:04:05.000Z") },
    { name: "kind", type: "select", maxSelect: 2, values: [new Money(1), "pocketmap:onProgress"] },
  ],
  indexes: [`CREATE INDEX idx_${name}_title ON ${name} (title)`],
});
/** What the server keeps of it (fields without their ids, the collection's name as NAME). */
const MODEL_KEPT = {
  listRule: 'title != "pocketmap:onProgress"',
  viewRule: "title != 'pocketmap:callback'",
  fields: [
    { name: "title", type: "text" },
    { name: "published", type: "date", min: "2026-01-02 03:04:05.000Z" },
    { name: "kind", type: "select", maxSelect: 2, values: ["0.01 EUR", "pocketmap:onProgress"] },
  ],
  indexes: ["CREATE INDEX idx_NAME_title ON NAME (title)"],
};

/** A settings patch holding each crossing value: a null-prototype section, toJSON values, marker-like strings. */
const settingsPatch = () => ({
  meta: Object.assign(Object.create(null) as Record<string, unknown>, {
    appName: new Money(1250),
    senderName: new Date("2026-01-02T03:04:05.000Z"),
  }),
  trustedProxy: { headers: ["pocketmap:onProgress", "pocketmap:callback"] },
});
const SETTINGS_KEPT = {
  meta: { appName: "12.50 EUR", senderName: "2026-01-02T03:04:05.000Z" },
  trustedProxy: { headers: ["pocketmap:onProgress", "pocketmap:callback"] },
};

const BODY_CASES = ENTRIES.filter(({ entry }) => entry.params.some((p) => BODY_PARAMS.has(p.name)));

describe("crossing values in service bodies, kept the same by both kinds", () => {
  let pb: EmbeddedServer;
  let admin: AsyncEnvironment;
  const envs = {} as Record<TestKind, AsyncEnvironment>;
  beforeAll(async () => {
    pb = await privateServer();
    const login = { url: pb.url, email: pb.email, password: pb.password };
    admin = openEnvWith("async", login);
    for (const kind of KINDS) envs[kind] = openEnvWith(kind, login);
  });
  afterAll(async () => {
    for (const kind of KINDS) await envs[kind]?.close();
    await admin?.close();
    await pb?.stop();
  });

  it("covers every method that carries a service body", () => {
    expect(BODY_CASES.map((c) => c.label).sort()).toEqual(
      expect.arrayContaining([
        "admin.collections.create",
        "admin.collections.import",
        "admin.collections.update",
        "admin.settings.update",
        "env.createCollection",
      ]),
    );
  });

  /** What the server kept of the body, read by the superuser. */
  async function kept(table: string, name: string): Promise<unknown> {
    if (table === "admin.settings") {
      const { meta, trustedProxy } = await admin.admin.settings.get();
      return { meta, trustedProxy };
    }
    const model = await admin.admin.collections.get(name);
    if (model === undefined) return undefined;
    return {
      listRule: model.listRule,
      viewRule: model.viewRule,
      fields: model.fields.filter((field) => !field.system).map(({ id: _, ...field }) => field),
      indexes: (model.indexes ?? []).map((index) => index.replaceAll(name, "NAME")),
    };
  }

  it.each(BODY_CASES)("$label", async ({ label, table, method, entry, reach }) => {
    const settings = table === "admin.settings";
    const creates = !entry.params.some((p) => p.name === "name");
    const original = await admin.admin.settings.get();
    const stored = {} as Record<TestKind, unknown>;
    for (const kind of KINDS) {
      const name = uniqueName("crossing");
      if (!settings && !creates) await admin.admin.collections.create({ name, type: "base" });
      const body = settings
        ? settingsPatch()
        : creates
          ? { name, type: "base", ...modelShape(name) }
          : modelShape(name);
      const args = entry.params.map((p) => {
        if (p.name === "name") return name;
        if (p.name === "models") return [body];
        if (BODY_PARAMS.has(p.name)) return body;
        return valid(p, label);
      });
      await run(reach(envs[kind], name), method, args);
      stored[kind] = await kept(table, name);
      // Each kind starts from the same server: the sync kind must not read what the async kind left.
      if (settings)
        await admin.admin.settings.update({ meta: original.meta, trustedProxy: original.trustedProxy });
      else await admin.admin.collections.delete(name);
    }
    expect(stored.async).toMatchObject(settings ? SETTINGS_KEPT : MODEL_KEPT);
    expect(stored.sync).toEqual(stored.async);
  });
});
