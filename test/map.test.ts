// The Map contract of DESIGN.md, on records keyed by id.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../src/index.ts";
import { freshPosts, server } from "./helpers.ts";
import { KINDS, openEnv, openEnvWith, settle } from "./kinds.ts";

describe.each(KINDS)("collections behave like a Map (%s kind)", (kind) => {
  const env = openEnv(kind);
  let name: string;
  const posts = () => env.collection(name);
  afterAll(() => env.close());

  beforeEach(async () => {
    name = await freshPosts(env, "map");
  });

  it("get returns the record, or undefined when it does not exist", async () => {
    const created = await posts().create({ title: "here" });
    expect((await posts().get(created.id))?.title).toBe("here");
    expect(await posts().get("missing00000001")).toBeUndefined();
    expect(await posts().get(created.id, { fields: "title" })).toEqual({ title: "here" });
  });

  it("has answers true and false", async () => {
    const created = await posts().create({ title: "here" });
    expect(await posts().has(created.id)).toBe(true);
    expect(await posts().has("missing00000001")).toBe(false);
  });

  it("set creates with the given id, then updates in place, and returns the collection", async () => {
    const id = "setid0000000001";
    expect(await posts().set(id, { title: "first", n: 1 })).toBe(posts());
    expect(await posts().get(id)).toMatchObject({ id, title: "first", n: 1 });
    await posts().set(id, { title: "second" });
    expect(await posts().get(id)).toMatchObject({ id, title: "second", n: 1 });
    expect(await posts().size).toBe(1);
  });

  it("concurrent sets of one new id create it once", async () => {
    const id = "raceid000000001";
    await Promise.all(Array.from({ length: 8 }, (_, n) => posts().set(id, { n })));
    expect(await posts().size).toBe(1);
    expect((await posts().get(id))?.n).toBeTypeOf("number");
  });

  it("delete returns true when it removed a record and false when there was none", async () => {
    const created = await posts().create({ title: "doomed" });
    expect(await posts().delete(created.id)).toBe(true);
    expect(await posts().delete(created.id)).toBe(false);
    expect(await posts().has(created.id)).toBe(false);
  });

  it("keys, values, entries, forEach and iteration agree, lazily across pages", async () => {
    const ids = new Set<string>();
    for (let n = 0; n < 25; n++) ids.add((await posts().create({ n })).id);
    const keys: string[] = [];
    for await (const id of posts().keys()) keys.push(id);
    expect(new Set(keys)).toEqual(ids);
    expect(keys).toHaveLength(25);

    const values: number[] = [];
    for await (const record of posts().values()) values.push(record.n as number);
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, n) => n));

    const entries: [string, unknown][] = [];
    for await (const [id, record] of posts().entries()) entries.push([id, record.id]);
    expect(entries.every(([id, recordId]) => id === recordId)).toBe(true);

    const pairs: string[] = [];
    for await (const [id] of posts()) pairs.push(id);
    expect(pairs.sort()).toEqual([...ids].sort());

    const visited: string[] = [];
    await posts().forEach((record, id, collection) => {
      expect(record.id).toBe(id);
      expect(collection).toBe(posts());
      visited.push(id);
    });
    expect(visited.sort()).toEqual([...ids].sort());

    const paged: string[] = [];
    for await (const record of posts().iterate({ pageSize: 4 })) paged.push(record.id);
    expect(paged.sort()).toEqual([...ids].sort());
  });

  it("iteration hands out every record once, in order, for sizes around the page boundaries", async () => {
    // Pages are read two at a time, the second overlapping the first by one record (src/async/pages.ts).
    const made: { id: string; n: number }[] = [];
    for (const size of [0, 1, 3, 4, 5, 6, 7, 8, 9, 12]) {
      while (made.length < size) {
        const { id } = await posts().create({ n: made.length });
        made.push({ id, n: made.length });
      }
      const byId = made.map((record) => record.id).sort();
      for (const pageSize of [1, 2, 4]) {
        const seen: string[] = [];
        for await (const record of posts().iterate({ pageSize })) seen.push(record.id);
        expect(seen).toEqual(byId);
        const sorted: number[] = [];
        for await (const record of posts().iterate({ pageSize, sort: "-n" })) sorted.push(record.n as number);
        expect(sorted).toEqual(made.map((record) => record.n).reverse());
        const titles = await posts().getFullList({ pageSize, fields: "n" });
        expect(titles).toEqual([...made].sort((a, b) => (a.id < b.id ? -1 : 1)).map(({ n }) => ({ n })));
      }
    }
  });

  it("iteration sees every record once even while records are being added", async () => {
    for (let n = 0; n < 10; n++) await posts().create({ n });
    const seen: string[] = [];
    for await (const record of posts().iterate({ pageSize: 3 })) {
      seen.push(record.id);
      if (seen.length === 2) await posts().create({ n: 99 });
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(10);
  });

  it("size counts and clear deletes every record across batches", async () => {
    expect(await posts().size).toBe(0);
    for (let n = 0; n < 130; n++) await posts().create({ n });
    expect(await posts().size).toBe(130);
    await posts().clear();
    expect(await posts().size).toBe(0);
    await posts().clear();
    expect(await posts().size).toBe(0);
  });

  it("clear deletes what it may and says so when the rules keep records it can list", async () => {
    const guarded = `${name}_rules`;
    await env.createCollection({
      name: guarded,
      type: "base",
      listRule: "",
      deleteRule: "n > 5",
      fields: [{ name: "n", type: "number" }],
    });
    try {
      await env.collection(guarded).createMany(Array.from({ length: 12 }, (_, n) => ({ n })));
      const { url } = server();
      const guest = openEnvWith(kind, { url }); // no identity: the rules decide
      try {
        const error = await settle(() => guest.collection(guarded).clear()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NotFoundError);
        expect((error as Error).message).toMatch(/can list them but not delete them/);
      } finally {
        await guest.close();
      }
      const left = await env.collection(guarded).getFullList({ sort: "n" });
      expect(left.map((record) => record.n)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await env.delete(guarded);
    }
  });

  it("deleteMany removes exactly the given records", async () => {
    const ids: string[] = [];
    for (let n = 0; n < 60; n++) ids.push((await posts().create({ n })).id);
    await posts().deleteMany(ids.slice(0, 55));
    const left: string[] = [];
    for await (const id of posts().keys()) left.push(id);
    expect(left.sort()).toEqual(ids.slice(55).sort());
  });
});
