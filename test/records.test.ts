// The record API, following steps 3-7 and 10-12 of the guide this project grew from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, filter, NetworkError, NotFoundError, UnauthorizedError } from "../src/index.ts";
import { freshPosts, server, uniqueName } from "./helpers.ts";
import { KINDS, openEnv, openEnvWith, settle } from "./kinds.ts";

describe.each(KINDS)("records (%s kind)", (kind) => {
  const env = openEnv(kind);
  let name: string;
  let authorId: string;
  const posts = () => env.collection(name);

  beforeAll(async () => {
    name = await freshPosts(env);
    authorId = (await env.collection("authors").create({ name: "Ada" })).id;
    for (let n = 0; n < 120; n++) {
      await posts().create({
        title: `post ${String(n).padStart(3, "0")}`,
        n,
        price: n,
        featured: n % 10 === 0,
        status: n % 3 === 0 ? "electronics" : "books",
        email: n % 2 === 0 ? `user${n}@gmail.com` : `user${n}@example.com`,
        published: n < 60 ? "2023-06-01 00:00:00.000Z" : "2024-06-01 00:00:00.000Z",
        author: n < 5 ? authorId : "",
      });
    }
  });
  afterAll(() => env.close());

  describe("step 3: listing and searching", () => {
    it("lists a page with its metadata", async () => {
      const page = await posts().list();
      expect(page).toMatchObject({ page: 1, perPage: 30, totalItems: 120, totalPages: 4 });
      expect(page.items).toHaveLength(30);
    });

    it("filters with a string", async () => {
      const page = await posts().list({ filter: "n>21 && featured=true", perPage: 100 });
      expect(page.items.map((record) => record.n).sort((a, b) => Number(a) - Number(b))).toEqual([
        30, 40, 50, 60, 70, 80, 90, 100, 110,
      ]);
    });

    it("filters with an object of equalities", async () => {
      const page = await posts().list({ filter: { n: 20, featured: true } });
      expect(page.items.map((record) => record.title)).toEqual(["post 020"]);
    });

    it("sorts and pages", async () => {
      const page = await posts().list({ sort: "-n,title", page: 2, perPage: 50 });
      expect(page).toMatchObject({ page: 2, perPage: 50, totalItems: 120, totalPages: 3 });
      expect(page.items[0]!.n).toBe(69);
      expect(page.items.at(-1)!.n).toBe(20);
    });

    it("skips the total when asked", async () => {
      const page = await posts().list({ skipTotal: true, perPage: 5 });
      expect(page).toMatchObject({ totalItems: -1, totalPages: -1 });
      expect(page.items).toHaveLength(5);
    });

    it("passes extra query parameters", async () => {
      const page = await posts().list({ query: { perPage: 3 } });
      expect(page.items).toHaveLength(3);
    });
  });

  describe("step 4: retrieving one record", () => {
    it("gets by id, with expand and fields", async () => {
      const first = await posts().getFirst({ filter: { n: 1 } });
      const expanded = await posts().getOne(first.id, { expand: "author" });
      expect((expanded.expand as { author: { name: string } }).author.name).toBe("Ada");
      const slim = await posts().getOne(first.id, { fields: "id,title" });
      expect(Object.keys(slim).sort()).toEqual(["id", "title"]);
      expect(await posts().getOne(first.id, { fields: ["id", "n"] })).toEqual({ id: first.id, n: 1 });
    });

    it("throws NotFoundError for a missing record, and getFirst when nothing matches", async () => {
      await expect(settle(() => posts().getOne("doesnotexist123"))).rejects.toBeInstanceOf(NotFoundError);
      await expect(settle(() => posts().getFirst({ filter: { n: -1 } }))).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it("returns every match with getFullList and iterate", async () => {
      const all = await posts().getFullList({ filter: "n >= 100" });
      expect(all).toHaveLength(20);
      const seen: number[] = [];
      for await (const record of posts().iterate({ filter: { featured: true }, pageSize: 2 })) {
        seen.push(record.n as number);
      }
      expect(seen.sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
      const sorted = await posts().getFullList({ sort: "-n", pageSize: 7, filter: "n < 15" });
      expect(sorted.map((record) => record.n)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    });

    it("counts", async () => {
      expect(await posts().count()).toBe(120);
      expect(await posts().count({ filter: { status: "electronics" } })).toBe(40);
    });
  });

  describe("steps 5-7: create, update, delete", () => {
    it("creates with query parameters, returns the record", async () => {
      const created = await posts().create(
        { title: "Hello World", body: "content" },
        { fields: "id,title,created" },
      );
      expect(Object.keys(created).sort()).toEqual(["created", "id", "title"]);
      expect(created.id).toMatch(/^[a-z0-9]{15}$/);
    });

    it("creates from a JSON string and with a chosen id", async () => {
      const created = await posts().create(JSON.stringify({ title: "from json", n: 7 }));
      expect(created).toMatchObject({ title: "from json", n: 7 });
      const chosen = await posts().create({ id: "chosenid0000001", title: "chosen" });
      expect(chosen.id).toBe("chosenid0000001");
    });

    it("updates only the given fields", async () => {
      const created = await posts().create({ title: "before", body: "kept", n: 1 });
      const updated = await posts().update(created.id, { title: "after", n: 2 }, { expand: "author" });
      expect(updated).toMatchObject({ title: "after", body: "kept", n: 2 });
    });

    it("deletes, and a second delete is NotFoundError", async () => {
      const created = await posts().create({ title: "doomed" });
      expect(await posts().remove(created.id)).toBeUndefined();
      await expect(settle(() => posts().getOne(created.id))).rejects.toBeInstanceOf(NotFoundError);
      await expect(settle(() => posts().remove(created.id))).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe("step 10: any collection, by property, index or call", () => {
    it("reaches the same collection three ways", async () => {
      const dynamic = "authors";
      const a = await env.collection("authors").create({ name: "by property" });
      expect((await env[dynamic]!.getOne(a.id)).name).toBe("by property");
      expect((await env.collection(dynamic).getOne(a.id)).name).toBe("by property");
      expect(env.authors).toBe(env.collection("authors"));
    });
  });

  describe("step 11: error handling", () => {
    it("a validation failure is a BadRequestError with per-field data", async () => {
      const error = await settle(() => posts().create({ email: "invalid-email" })).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(BadRequestError);
      const failure = error as BadRequestError;
      expect(failure.status).toBe(400);
      expect(failure.method).toBe("POST");
      expect(failure.url).toBe(`${server().url}/api/collections/${name}/records`);
      expect(failure.data.email).toMatchObject({ code: "validation_is_email" });
      expect(failure.fieldErrors.email).toMatch(/email/i);
    });

    it("no identity is an UnauthorizedError where one is needed", async () => {
      const guest = openEnvWith(kind, { url: server().url });
      await expect(settle(() => guest.send("/api/settings"))).rejects.toBeInstanceOf(UnauthorizedError);
      await guest.close();
    });

    it("a closed port is a NetworkError", async () => {
      const nowhere = openEnvWith(kind, { url: "http://127.0.0.1:9", retries: 0 });
      const error = await settle(() => nowhere.collection("authors").list()).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).status).toBe(0);
      await nowhere.close();
    });
  });

  describe("set() with an id the server refuses", () => {
    it("is the server's BadRequestError on id, as create({ id }) is", async () => {
      for (const id of ["SKU-00001", "UPPERCASE000001", "short"]) {
        const viaCreate = await settle(() => posts().create({ id, title: "x" })).catch(
          (caught: unknown) => caught,
        );
        const viaSet = await settle(() => posts().set(id, { title: "x" })).catch((caught: unknown) => caught);
        expect(viaCreate).toBeInstanceOf(BadRequestError);
        expect(viaSet).toBeInstanceOf(BadRequestError);
        const { data, status } = viaSet as BadRequestError;
        expect(status).toBe(400);
        expect(data.id).toEqual((viaCreate as BadRequestError).data.id);
        expect(await posts().get(id.toLowerCase().padEnd(15, "0"))).toBeUndefined();
      }
    });
  });

  describe("fields that leave out the id", () => {
    it("getFullList and iterate return what was asked for, every page", async () => {
      const seeded = "title ~ 'post 0' && ";
      const titles = await posts().getFullList({ fields: "title", filter: `${seeded}n < 20`, pageSize: 7 });
      expect(titles).toHaveLength(20);
      for (const record of titles) expect(Object.keys(record)).toEqual(["title"]);
      expect(titles.map((record) => record.title).sort()).toEqual(
        Array.from({ length: 20 }, (_, n) => `post ${String(n).padStart(3, "0")}`),
      );
      const seen: unknown[] = [];
      for await (const record of posts().iterate({
        fields: ["n", "title:excerpt(4,true)"],
        filter: `${seeded}n < 9`,
        pageSize: 2,
      })) {
        seen.push(record);
      }
      expect(seen.sort((a, b) => (a as { n: number }).n - (b as { n: number }).n)).toEqual(
        Array.from({ length: 9 }, (_, n) => ({ n, title: "post..." })),
      );
      // Fields that do hold the id keep it.
      const withId = await posts().getFullList({ fields: "id,n", filter: `${seeded}n < 3`, pageSize: 2 });
      expect(withId.map((record) => Object.keys(record).sort())).toEqual([
        ["id", "n"],
        ["id", "n"],
        ["id", "n"],
      ]);
    });
  });

  describe("a collection that does not exist", () => {
    it("is a NotFoundError naming it, from every call, the Map methods included", async () => {
      const missing = uniqueName("nosuchthing");
      const collection = env.collection(missing);
      const calls: Record<string, () => unknown> = {
        size: () => collection.size,
        count: () => collection.count(),
        list: () => collection.list(),
        getOne: () => collection.getOne("abcdefghijklmno"),
        getFirst: () => collection.getFirst(),
        getFullList: () => collection.getFullList(),
        create: () => collection.create({ title: "x" }),
        update: () => collection.update("abcdefghijklmno", { title: "x" }),
        remove: () => collection.remove("abcdefghijklmno"),
        deleteMany: () => collection.deleteMany(["abcdefghijklmno"]),
        get: () => collection.get("abcdefghijklmno"),
        has: () => collection.has("abcdefghijklmno"),
        set: () => collection.set("abcdefghijklmno", { title: "x" }),
        delete: () => collection.delete("abcdefghijklmno"),
        clear: () => collection.clear(),
        keys: async () => {
          for await (const key of collection.keys()) return key;
        },
      };
      for (const [method, call] of Object.entries(calls)) {
        const error = await settle(call).then(
          (value) => ({ method, value }),
          (caught: unknown) => caught,
        );
        expect(error, method).toBeInstanceOf(NotFoundError);
        expect((error as NotFoundError).message, method).toBe(`collection "${missing}" not found`);
        expect((error as NotFoundError).status, method).toBe(404);
      }
      // A missing record in a collection that exists is still undefined / false.
      expect(await posts().get("abcdefghijklmno")).toBeUndefined();
      expect(await posts().delete("abcdefghijklmno")).toBe(false);
    });
  });

  describe("step 12: advanced filtering", () => {
    it("groups, ranges and or", async () => {
      const found = await posts().getFullList({
        filter: "(price >= 10 && price <= 100) && (status = 'electronics' || featured = true)",
        sort: "-featured,-created",
        expand: "author",
      });
      const expected = Array.from({ length: 91 }, (_, i) => i + 10).filter(
        (n) => n % 3 === 0 || n % 10 === 0,
      );
      expect(found.map((record) => record.n).sort((a, b) => Number(a) - Number(b))).toEqual(expected);
      expect(found[0]!.featured).toBe(true);
    });

    it("dates, like and not-like, null checks", async () => {
      expect(await posts().count({ filter: "published >= '2024-01-01 00:00:00' && n < 100" })).toBe(40);
      const since = new Date("2024-01-01T00:00:00Z");
      expect(await posts().count({ filter: filter`published >= ${since} && n < ${100}` })).toBe(40);
      expect(await posts().count({ filter: "email ~ 'gmail.com' && title !~ 'post 1'" })).toBe(
        Array.from({ length: 120 }, (_, n) => n).filter(
          (n) => n % 2 === 0 && !`post ${String(n).padStart(3, "0")}`.startsWith("post 1"),
        ).length,
      );
      expect(await posts().count({ filter: "author != null && n < 120" })).toBe(5);
      expect(await posts().count({ filter: { author: null, status: "electronics" } })).toBe(40 - 2);
    });
  });
});
