// pocketmap import: CSV conversion and rejects among 10,000 rows, upsert twice (and empty cells that
// clear), round trips in four formats and of list fields.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { afterAll, describe, expect, it } from "vitest";
import { setup } from "../src/index.ts";
import { cli } from "./cli-run.ts";
import { freshPosts, privateServer, range, superuserEnv, uniqueName, visible } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "pocketmap-import-"));
/** Records without what the server sets, for comparing two collections' contents. */
const plain = (records: Record<string, unknown>[]) =>
  records
    .map(({ created: _c, updated: _u, collectionId: _i, collectionName: _n, ...rest }) => rest)
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));

describe("pocketmap import", () => {
  const admin = superuserEnv();
  afterAll(() => admin.close());

  /** A fresh collection with a field of each type an empty cell clears, and the list fields: multiple select and relation. */
  async function listsCollection(prefix: string): Promise<string> {
    const name = uniqueName(prefix);
    const authors = await admin.send<{ id: string }>("/api/collections/authors", { query: { fields: "id" } });
    await admin.createCollection({
      name,
      type: "base",
      fields: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
        { name: "featured", type: "bool" },
        { name: "meta", type: "json" },
        { name: "email", type: "email" },
        { name: "published", type: "date" },
        { name: "author", type: "relation", collectionId: authors.id, maxSelect: 1 },
        { name: "tags", type: "select", values: ["a", "b", "c, d"], maxSelect: 3 },
        { name: "authors", type: "relation", collectionId: authors.id, maxSelect: 5 },
      ],
    });
    await visible(admin, name);
    return name;
  }

  it("converts CSV cells by field type, sets aside exactly the 3 bad rows of 10,000 and stores the rest", async () => {
    const name = await freshPosts(admin, "cliimp");
    const BAD = new Set([500, 5000, 9999]);
    const rows = range(1, 10_001).map((i) => ({
      title: i % 7 === 0 ? `line one, with "quotes"\nline two ${i}` : `ünïcødé ✓ ${i}`,
      body: i % 3 === 0 ? "" : `body ${i}`,
      n: i === 500 ? "not a number" : String(i),
      featured: i % 2 === 0 ? "yes" : "false",
      meta: i % 5 === 0 ? "" : JSON.stringify({ i, tags: ["a", "b, c"] }),
      email: i === 5000 || i === 9999 ? "not-an-email" : `user${i}@example.com`,
      published: i % 4 === 0 ? "" : "2024-05-06 07:08:09.000Z",
    }));
    const file = join(dir, "people.csv");
    writeFileSync(file, stringify(rows, { header: true }));
    const rejectsFile = join(dir, "rejects.ndjson");

    const { code, stderr } = await cli(["import", name, file, "--errors", rejectsFile, "--batch", "700"]);
    expect(code).toBe(1);
    expect(stderr).toContain(`imported 9997 rows into ${name}; 3 rejected`);
    const rejects = readFileSync(rejectsFile, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rejects.map((reject) => reject.row).sort((a, b) => a - b)).toEqual([...BAD]);
    expect(rejects.find((reject) => reject.row === 500).reason).toContain("field n");
    expect(rejects.find((reject) => reject.row === 5000).reason).toContain("email");
    expect(rejects.find((reject) => reject.row === 9999).data).toMatchObject({ email: "not-an-email" });

    const stored = await admin.collection(name).getFullList({ sort: "n" });
    expect(stored.map((record) => record.n)).toEqual(range(1, 10_001).filter((i) => !BAD.has(i)));
    const by = new Map(stored.map((record) => [record.n, record]));
    expect(by.get(7)).toMatchObject({
      title: 'line one, with "quotes"\nline two 7',
      featured: false,
      body: "body 7",
    });
    expect(by.get(6)).toMatchObject({
      title: "ünïcødé ✓ 6",
      body: "",
      featured: true,
      meta: { i: 6, tags: ["a", "b, c"] },
    });
    expect(by.get(10)).toMatchObject({ meta: null, email: "user10@example.com" });
    expect(by.get(8)!.published).toBe("");
    expect(by.get(9)!.published).toBe("2024-05-06 07:08:09.000Z");
  });

  it("--mode upsert run twice leaves no duplicates, by id and by --key", async () => {
    const name = await freshPosts(admin, "cliups");
    const lines = (suffix: string) =>
      range(0, 120)
        .map((i) =>
          JSON.stringify({ id: `ups${String(i).padStart(12, "0")}`, title: `t${i}`, n: i, body: suffix }),
        )
        .join("\n");
    const file = join(dir, "upsert.ndjson");
    writeFileSync(file, lines("first"));
    expect((await cli(["import", name, file, "--mode", "upsert"])).code).toBe(0);
    writeFileSync(file, lines("second"));
    expect((await cli(["import", name, file, "--mode", "upsert"])).code).toBe(0);
    expect(await admin.collection(name).count()).toBe(120);
    expect(await admin.collection(name).count({ filter: { body: "second" } })).toBe(120);

    const keyed = await freshPosts(admin, "clikey");
    const csv = (n: number) =>
      stringify([...range(0, 80).map((i) => ({ title: `k${i}`, n })), { title: "k0", n }], { header: true });
    for (const n of [1, 2]) {
      const result = await cli(["import", keyed, "-", "-f", "csv", "--mode", "upsert", "--key", "title"], {
        input: csv(n),
      });
      expect(result.code).toBe(0);
    }
    expect(await admin.collection(keyed).count()).toBe(80);
    expect(await admin.collection(keyed).count({ filter: { n: 2 } })).toBe(80);
    expect((await cli(["import", keyed, "-", "--key", "title"], { input: "" })).code).toBe(2);
  });

  it("--mode upsert: an empty CSV cell clears the field of the record it updates", async () => {
    const name = await listsCollection("cliclear");
    const [ada, bob] = await admin.collection("authors").createMany([{ name: "ada" }, { name: "bob" }]);
    const id = "clear0000000001";
    await admin.collection(name).create({
      id,
      title: "kept",
      n: 5,
      featured: true,
      meta: { a: 1 },
      email: "x@example.com",
      published: "2024-05-06 07:08:09.000Z",
      author: ada!.id,
      tags: ["a", "c, d"],
      authors: [ada!.id, bob!.id],
    });
    const columns = [
      "id",
      "title",
      "n",
      "featured",
      "meta",
      "email",
      "published",
      "author",
      "tags",
      "authors",
    ];
    const csv = stringify([{ id, title: "kept" }], { header: true, columns });
    const result = await cli(["import", name, "-", "-f", "csv", "--mode", "upsert"], { input: csv });
    expect(result.stderr).toContain(`imported 1 rows into ${name}; 0 rejected`);
    expect(result.code).toBe(0);
    expect(await admin.collection(name).getOne(id)).toMatchObject({
      title: "kept",
      n: 0,
      featured: false,
      meta: null,
      email: "",
      published: "",
      author: "",
      tags: [],
      authors: [],
    });
    // A row whose --key cell is empty has no key: rejected, not matched to a record keyed "".
    const keyed = await cli(["import", name, "-", "-f", "csv", "--mode", "upsert", "--key", "title"], {
      input: stringify([{ title: "", n: "1" }], { header: true }),
    });
    expect(keyed.code).toBe(1);
    expect(keyed.stderr).toContain("row 1: no value for the key field title");
  });

  it("round trips multiple select and relation fields through CSV", async () => {
    const source = await listsCollection("clilists");
    const [ada, bob] = await admin.collection("authors").createMany([{ name: "ada" }, { name: "bob" }]);
    await admin.collection(source).createMany([
      { id: "lists0000000001", title: "both", tags: ["a", "c, d"], authors: [ada!.id, bob!.id] },
      { id: "lists0000000002", title: "one", tags: ["b"], authors: [bob!.id], author: ada!.id },
      { id: "lists0000000003", title: "none" },
    ]);
    const expected = plain(await admin.collection(source).getFullList());
    expect(expected.map((record) => record.tags)).toEqual([["a", "c, d"], ["b"], []]);
    const file = join(dir, "lists.csv");
    expect((await cli(["export", source, "-o", file])).code).toBe(0);
    // Lists are JSON text in a cell, so a value with a comma stays one value.
    expect(readFileSync(file, "utf8")).toContain(`"[""a"",""c, d""]"`);
    const target = await listsCollection("clilistsrt");
    const imported = await cli(["import", target, file]);
    expect(imported.stderr).toContain(`imported 3 rows into ${target}; 0 rejected`);
    expect(plain(await admin.collection(target).getFullList())).toEqual(expected);
    // A list written by hand: comma-separated values.
    const byHand = await cli(["import", target, "-", "-f", "csv"], {
      input: `title,tags,authors\nhand,"a,b","${ada!.id}, ${bob!.id}"\n`,
    });
    expect(byHand.code).toBe(0);
    expect(await admin.collection(target).getFirst({ filter: { title: "hand" } })).toMatchObject({
      tags: ["a", "b"],
      authors: [ada!.id, bob!.id],
    });
  });

  it("--dry-run checks rows and writes nothing; stdin is read with the format detected", async () => {
    const name = await freshPosts(admin, "clidry");
    const input = `${JSON.stringify({ title: "a", n: 1 })}\n{bad json\n${JSON.stringify({ title: "b", n: 2 })}\n`;
    const dry = await cli(["import", name, "-", "--dry-run", "--progress", "json"], { input });
    expect(dry.code).toBe(1);
    // Progress counts every row read, the rejected one too.
    expect(dry.stderr).toMatch(/^\{"label":"import [^"]+","done":3,"total":null,/m);
    expect(dry.stderr).toContain("would import 2 rows");
    expect(dry.stderr).toContain("row 2: not JSON");
    expect(await admin.collection(name).count()).toBe(0);
    const real = await cli(["import", name, "-"], { input: `${JSON.stringify({ title: "a", n: 1 })}\n` });
    expect(real.code).toBe(0);
    expect(await admin.collection(name).count()).toBe(1);
  });

  it("round trips export → import in all four formats", async () => {
    const source = await freshPosts(admin, "clisrc");
    await admin.collection(source).createMany([
      { id: "rt0000000000001", title: 'a, "b"\nc', n: 1.5, featured: true, meta: { deep: [1, { x: null }] } },
      { id: "rt0000000000002", title: "ünïcødé ✓", n: 0, featured: false, meta: "just a string" },
      { id: "rt0000000000003", title: "", n: -7, meta: [1, 2], published: "2024-01-02 03:04:05.678Z" },
      { id: "rt0000000000004", title: "nothing else" },
    ]);
    const expected = plain(await admin.collection(source).getFullList());
    for (const format of ["json", "ndjson", "csv", "tsv"]) {
      const file = join(dir, `round.${format}`);
      expect((await cli(["export", source, "-o", file])).code).toBe(0);
      const target = await freshPosts(admin, `clirt${format}`);
      const imported = await cli(["import", target, file]);
      expect(imported.stderr).toContain(`imported 4 rows into ${target}; 0 rejected`);
      expect(imported.code).toBe(0);
      expect(plain(await admin.collection(target).getFullList())).toEqual(expected);
    }
  });
});

describe("pocketmap import with batch disabled (single requests)", () => {
  it("sets aside exactly the bad rows, writes every other row once", async () => {
    const pb = await privateServer();
    const admin = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
    try {
      await admin.send("/api/settings", { method: "PATCH", body: { batch: { enabled: false } } });
      await admin.createCollection({
        name: "people",
        type: "base",
        fields: [
          { name: "n", type: "number" },
          { name: "email", type: "email" },
        ],
      });
      const BAD = [50, 51, 200];
      const rows = range(1, 301).map((n) => ({
        n: n === 200 ? "x" : String(n),
        email: n === 50 || n === 51 ? "bad" : `p${n}@example.com`,
      }));
      const file = join(dir, "fallback.csv");
      writeFileSync(file, stringify(rows, { header: true }));
      const rejectsFile = join(dir, "fallback-rejects.ndjson");
      const variables = {
        POCKETBASE_URL: pb.url,
        POCKETBASE_EMAIL: pb.email,
        POCKETBASE_PASSWORD: pb.password,
      };
      const { code, stderr } = await cli(
        ["import", "people", file, "--errors", rejectsFile, "--batch", "100"],
        {
          variables,
        },
      );
      expect(code).toBe(1);
      expect(stderr).toContain("imported 297 rows into people; 3 rejected");
      const rejects = readFileSync(rejectsFile, "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(rejects.map((reject) => reject.row).sort((a, b) => a - b)).toEqual(BAD);
      const stored = (await admin.collection("people").getFullList()).map((record) => record.n as number);
      expect(stored.sort((a, b) => a - b)).toEqual(range(1, 301).filter((n) => !BAD.includes(n)));
    } finally {
      await admin.close();
      await pb.stop();
    }
  });
});
