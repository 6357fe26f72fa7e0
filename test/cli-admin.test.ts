// pocketmap sql and schema: against the suite's server (sql) and a private one (schema import
// reloads the whole collection cache, which would disturb files sharing the suite's server).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { cli } from "./cli-run.ts";
import { atLeast, privateServer } from "./helpers.ts";

const QUERY = "select 1 as one, 'a, b' as text, null as blank";

describe("pocketmap sql", () => {
  it.runIf(atLeast("0.39"))("prints rows as a table, CSV or JSON", async () => {
    const table = await cli(["sql", QUERY]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n").slice(0, 2)).toEqual(["one  text  blank", "  1  a, b  NULL"]);
    const csv = await cli(["sql", QUERY, "-f", "csv"]);
    expect(parse(csv.stdout)).toEqual([
      ["one", "text", "blank"],
      ["1", "a, b", ""],
    ]);
    const json = await cli(["sql", QUERY, "-f", "json"]);
    expect(JSON.parse(json.stdout)).toEqual([{ one: "1", text: "a, b", blank: null }]);
    expect((await cli(["sql", "selec nothing"])).code).toBe(1);
  });

  it.runIf(!atLeast("0.39"))("says that it needs PocketBase 0.39", async () => {
    const { code, stderr } = await cli(["sql", QUERY]);
    expect(code).toBe(1);
    expect(stderr).toContain("0.39");
  });
});

describe("pocketmap schema", () => {
  let pb: EmbeddedServer;
  let variables: Record<string, string>;
  beforeAll(async () => {
    pb = await privateServer();
    variables = { POCKETBASE_URL: pb.url, POCKETBASE_EMAIL: pb.email, POCKETBASE_PASSWORD: pb.password };
  });
  afterAll(() => pb.stop());

  it("exports the models and imports them again, with --dry-run and --delete-missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pocketmap-schema-"));
    const file = join(dir, "schema.json");
    expect((await cli(["schema", "export", "-o", file], { variables })).code).toBe(0);
    const models = JSON.parse(readFileSync(file, "utf8")) as { name: string; fields: unknown[] }[];
    expect(models.map((model) => model.name)).toContain("users");

    const notes = {
      name: "notes",
      type: "base",
      fields: [{ name: "text", type: "text" }],
    };
    writeFileSync(file, JSON.stringify([...models, notes]));
    const dry = await cli(["schema", "import", file, "--dry-run"], { variables });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("created 1: notes");
    expect((await cli(["ls"], { variables })).stdout).not.toContain("notes");

    expect((await cli(["schema", "import", file], { variables })).code).toBe(0);
    expect((await cli(["ls"], { variables })).stdout).toMatch(/^notes +base +0$/m);

    writeFileSync(file, JSON.stringify(models));
    const removed = await cli(["schema", "import", file, "--delete-missing"], { variables });
    expect(removed.stderr).toContain("deleted 1: notes");
    expect((await cli(["ls"], { variables })).stdout).not.toContain("notes");
    expect((await cli(["schema", "drop"], { variables })).code).toBe(2);
  });
});
