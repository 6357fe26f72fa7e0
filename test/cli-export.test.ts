// pocketmap export: four formats, CSV columns from the collection's fields, filter/sort/fields, -o.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./cli-run.ts";
import { freshPosts, superuserEnv } from "./helpers.ts";

describe("pocketmap export", () => {
  const admin = superuserEnv();
  let name: string;
  afterAll(() => admin.close());
  beforeAll(async () => {
    name = await freshPosts(admin, "cliexp");
    await admin.collection(name).createMany([
      { id: "exp000000000001", title: 'comma, "quote"\nnewline', n: 1, featured: true, meta: { a: [1, 2] } },
      { id: "exp000000000002", title: "ünïcødé ✓", n: 2, meta: null },
      { id: "exp000000000003", title: "third", n: 3, price: 2.5 },
    ]);
  });

  it("writes NDJSON by default and JSON with -f json, filtered, sorted and with chosen fields", async () => {
    const ndjson = await cli(["export", name, "--sort=-n"]);
    expect(ndjson.code).toBe(0);
    const lines = ndjson.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((record) => record.n)).toEqual([3, 2, 1]);
    expect(lines[2]).toMatchObject({ title: 'comma, "quote"\nnewline', featured: true, meta: { a: [1, 2] } });

    const json = await cli([
      "export",
      name,
      "-f",
      "json",
      "--filter",
      "n >= 2",
      "--fields",
      "id,n",
      "--sort",
      "n",
    ]);
    expect(JSON.parse(json.stdout)).toEqual([
      { id: "exp000000000002", n: 2 },
      { id: "exp000000000003", n: 3 },
    ]);
    const none = await cli(["export", name, "-f", "json", "--filter", "n > 100"]);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it("writes CSV and TSV with the collection's fields as columns, JSON values as JSON text", async () => {
    const model = (await admin.admin.collections.get(name))!;
    const expected = ["id", ...model.fields.map((field) => field.name).filter((field) => field !== "id")];
    for (const format of ["csv", "tsv"] as const) {
      const { code, stdout } = await cli(["export", name, "-f", format, "--sort", "n"]);
      expect(code).toBe(0);
      const rows: string[][] = parse(stdout, { delimiter: format === "csv" ? "," : "\t" });
      expect(rows[0]).toEqual(expected);
      const first = Object.fromEntries(expected.map((column, i) => [column, rows[1]![i]]));
      expect(first).toMatchObject({
        title: 'comma, "quote"\nnewline',
        n: "1",
        featured: "true",
        meta: '{"a":[1,2]}',
      });
      expect(rows[2]![expected.indexOf("title")]).toBe("ünïcødé ✓");
      expect(rows[2]![expected.indexOf("meta")]).toBe("");
    }
  });

  it("-o writes a file and takes the format from its name; a missing collection is named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pocketmap-export-"));
    const file = join(dir, "out.csv");
    const { code, stdout } = await cli(["export", name, "-o", file, "--fields", "id,title"]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(readFileSync(file, "utf8").split("\n")[0]).toBe("id,title");
    const missing = await cli(["export", `${name}x`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no collection "${name}x"`);
  });

  it("leaves secrets out: no password or tokenKey of an auth collection, in any format", async () => {
    const email = `export-${Date.now()}@example.com`;
    await admin
      .collection("users")
      .create({ email, password: "secret-pass-123", passwordConfirm: "secret-pass-123" });
    for (const format of ["ndjson", "csv"]) {
      const { code, stdout } = await cli(["export", "users", "-f", format, "--filter", `email = "${email}"`]);
      expect(code).toBe(0);
      expect(stdout).toContain(email);
      expect(stdout).not.toContain("tokenKey");
      expect(stdout).not.toContain("password");
    }
  });
});
