// The API reference (`npm run docs`): typedoc builds it from src/index.ts, the entry the published
// types are built from, with treatWarningsAsErrors and validation.notDocumented on (typedoc.json), so
// an undocumented export or a broken link fails here; then every public method must have an @example.
// The same run writes the Markdown reference, which must equal the committed docs/reference/.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { methodsWithoutExample, sourceExamples } from "./api-examples.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");

describe("the API reference", () => {
  let out: string;
  let typedoc: { code: number | undefined; output: string };

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "pocketmap-api-"));
    const bin = join(root, "node_modules/typedoc/bin/typedoc");
    // The same configuration as `npm run docs` (typedoc.json's three outputs), written to a directory of its own.
    const outputs = ["--html", join(out, "html"), "--json", join(out, "api.json")];
    typedoc = await run(process.execPath, [bin, ...outputs, "--markdown", join(out, "reference")], {
      cwd: root,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code,
        output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
      }),
    );
  }, 180_000);
  afterAll(() => out && rm(out, { recursive: true, force: true }));

  it("builds with no warning (every export documented, every link valid)", () => {
    expect(typedoc.output).not.toMatch(/warning|error/i);
    expect(typedoc.code).toBe(0);
  });

  it("writes the Markdown reference that docs/reference/ holds (README links it: it cannot drift)", async () => {
    const committed = join(root, "docs/reference");
    const fresh = join(out, "reference");
    const pages = markdownFiles(fresh);
    expect(pages, "the index README links").toContain("README.md");
    const stale = "docs/reference/ is out of date: run `npm run docs` and commit docs/reference/";
    expect(markdownFiles(committed), stale).toEqual(pages);
    const differing: string[] = [];
    for (const page of pages) {
      const [now, then] = await Promise.all([
        readFile(join(fresh, page), "utf8"),
        readFile(join(committed, page), "utf8"),
      ]);
      if (now !== then) differing.push(page);
    }
    expect(differing, stale).toEqual([]);
  });

  it("has an @example for every public method", async () => {
    const project = JSON.parse(await readFile(join(out, "api.json"), "utf8"));
    expect(methodsWithoutExample(project)).toEqual([]);
  });

  // consumer.test.ts compiles them against the packed package (test/docs-compile.ts): none may be missed.
  it("reads every @example of src/, with the kind it is written for", async () => {
    const src = join(root, "src");
    let tags = 0;
    for (const file of readdirSync(src, { recursive: true, encoding: "utf8" })) {
      if (file.endsWith(".ts"))
        tags += (await readFile(join(src, file), "utf8")).split("* @example").length - 1;
    }
    const examples = sourceExamples();
    expect(examples).toHaveLength(tags);
    const kind = (page: string, text: string) =>
      examples.find((example) => example.page === page && example.code.includes(text))?.kind;
    expect(kind("src/abstract/types.ts", 'feed.on("change"')).toBe("sync");
    expect(kind("src/abstract/types.ts", "setTimeout(() => feed.cancel()")).toBe("async");
    expect(kind("src/sync/collection.ts", "env.posts.forEach")).toBe("sync");
  });

  it("the @example check names a method that has none (it can fail)", () => {
    const method = (name: string, tags: string[]) => ({
      name,
      kind: 2048,
      sources: [{ fileName: "src/abstract/types.ts" }],
      signatures: [{ comment: { blockTags: tags.map((tag) => ({ tag })) } }],
    });
    const project = {
      name: "pocketmap",
      kind: 1,
      children: [
        {
          name: "Collection",
          kind: 256,
          children: [method("get", ["@example"]), method("list", ["@returns"])],
        },
      ],
    };
    expect(methodsWithoutExample(project)).toEqual(["Collection.list"]);
  });
});

/** The Markdown files under `dir`, relative to it, sorted (no directory means none). */
function markdownFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith(".md")).sort();
}
