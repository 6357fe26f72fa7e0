// Every code block of README.md and docs/*.md runs, or says why not. Pages with a test of their own
// (DEDICATED: it needs mail, OAuth2 or S3 servers, and checks what each block prints) run there; every
// other page, a new one included, runs here, on a PocketBase of its own per page and kind, with the
// collections the guides talk about. Its blocks must not throw. (They are compiled against the packed
// package by consumer.test.ts.)
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { codeBlocks, docPages, root } from "./docs-blocks.ts";
import { CONTEXTS, DEFAULT } from "./docs-context.ts";
import { runExamples, useServerVariables } from "./docs-examples.ts";
import { privateServer } from "./helpers.ts";
import { openEnvWith } from "./kinds.ts";

/** Pages that a test of their own runs (with runExamples), and that test. */
const DEDICATED: Record<string, string> = {
  "docs/auth.md": "test/docs-auth.test.ts",
  "docs/files.md": "test/docs-files.test.ts",
  "docs/admin.md": "test/docs-admin.test.ts",
  "docs/admin-settings-backups.md": "test/docs-settings-backups.test.ts",
  "docs/replication.md": "test/docs-replication.test.ts",
  "docs/hooks.md": "test/docs-hooks.test.ts",
};

const runnable = (page: string) => codeBlocks(page).filter((block) => block.notRun === undefined);
const GENERIC = docPages().filter((page) => !(page in DEDICATED) && runnable(page).length > 0);

describe("the docs' code blocks", () => {
  it("are each run, by this file or a page's own test, or say why not", () => {
    for (const page of docPages()) {
      for (const block of codeBlocks(page)) {
        const where = `${block.page}:${block.line}`;
        if (block.notRun !== undefined) expect(block.notRun.length, `${where}: a reason`).toBeGreaterThan(10);
        else expect(GENERIC.includes(page) || page in DEDICATED, where).toBe(true);
      }
    }
    for (const [page, test] of Object.entries(DEDICATED)) {
      expect(existsSync(join(root, test)), test).toBe(true);
      const name = page.replace(/^docs\//, "");
      expect(readFileSync(join(root, test), "utf8"), `${test} runs ${page}`).toMatch(
        new RegExp(`runExamples\\((\\s*)("${name}"|PAGE)`),
      );
    }
  });

  it("are found in every language a guide may use, and a not-run mark needs its reason", () => {
    const page = [
      "```ts\na();\n```",
      "<!-- not run: needs an OAuth2 provider -->\n```js\nb();\n```",
      "```sh\nnpm test\n```",
      "```typescript\nc();\n```\n\n```javascript\nd();\n```",
      "<!-- a note -->\n```ts\ne();\n```",
      "- in a list:\n\n  ```ts\n  f();\n    g();\n  ```",
    ].join("\n\n");
    const blocks = codeBlocks("docs/example.md", page);
    expect(blocks.map((block) => [block.code.trim(), block.notRun])).toEqual([
      ["a();", undefined],
      ["b();", "needs an OAuth2 provider"],
      ["c();", undefined],
      ["d();", undefined],
      ["e();", undefined],
      ["f();\n  g();", undefined],
    ]);
    expect(blocks.map((block) => block.line)).toEqual([1, 6, 14, 18, 23, 29]);
  });
});

// Pages that are not guides to a feature: how it is built, why, and what it runs on.
const NOT_GUIDES = ["docs/architecture.md", "docs/decisions.md", "docs/compatibility.md"];

describe("every guide", () => {
  const guides = docPages().filter((page) => page.startsWith("docs/") && !NOT_GUIDES.includes(page));
  it.each(guides)("%s starts with a working example and ends with what it does not do", (page) => {
    const markdown = readFileSync(join(root, page), "utf8");
    const firstSection = markdown.indexOf("\n## ");
    expect(markdown.indexOf("\n```"), "a code block before the first section").toBeGreaterThan(-1);
    expect(markdown.indexOf("\n```"), "a code block before the first section").toBeLessThan(firstSection);
    const sections = [...markdown.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(sections.at(-1), "its last section").toBe("What it does not do");
  });
});

// The collections the guides' examples use, with the fields they write.
const COLLECTIONS = [
  {
    name: "posts",
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "views", type: "number" },
      { name: "published", type: "bool" },
      { name: "status", type: "text" },
      { name: "author", type: "text" },
      { name: "deleted", type: "text" },
      { name: "imported", type: "bool" },
      { name: "cover", type: "file", maxSelect: 1, maxSize: 1_000_000 },
    ],
  },
  {
    name: "products",
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "price", type: "number" },
      { name: "tags", type: "json" },
    ],
  },
  {
    name: "documents",
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "file", type: "file", maxSelect: 1, maxSize: 1_000_000 },
    ],
  },
];

/** Unsets the POCKETBASE_* variables (embedded mode); returns what puts them back. */
function withoutServerVariables(): () => void {
  const names = ["POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD", "POCKETBASE_TOKEN"];
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  return () => {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  };
}

/** What a page's blocks find in scope besides `env` and pocketmap's exports (see docs-context.ts). */
async function values(page: string, admin: pocketmap.AsyncEnvironment): Promise<Record<string, unknown>> {
  const post = (title: string) => admin.posts!.create({ title });
  switch (page) {
    case "README.md":
      return { id: "author000000001", q: "Hel", n: 1 };
    case "docs/batch.md": {
      const [a, b, old] = await Promise.all([post("a"), post("b"), post("old")]);
      const user = await admin.users!.create({
        email: "ada@example.com",
        password: "pass-1234",
        passwordConfirm: "pass-1234",
      });
      return {
        text: "title\none\ntwo",
        parseCsv: (text: string) =>
          text
            .split("\n")
            .slice(1)
            .map((title) => ({ title })),
        bar: { update: () => {} },
        ids: [a.id, b.id, "nosuchpost00001"],
        bytes: new Uint8Array([137, 80, 78, 71]),
        userId: user.id,
        oldId: old.id,
      };
    }
    case "docs/realtime.md":
      return { onPublished: () => {}, upsertLocal: () => {}, deleteLocal: () => {} };
    default:
      return {};
  }
}

describe.each(
  GENERIC.flatMap((page) => (CONTEXTS[page] ?? DEFAULT).kinds.map((kind) => [page, kind] as const)),
)("every code block of %s (%s kind)", (page, kind) => {
  let pb: EmbeddedServer;
  let dir: string;
  let admin: pocketmap.AsyncEnvironment;
  let restore: () => void = () => {};
  const cwd = process.cwd();

  beforeAll(async () => {
    pb = await privateServer();
    dir = await mkdtemp(join(tmpdir(), "pocketmap-docs-pages-"));
    admin = pocketmap.setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
    for (const model of COLLECTIONS) await admin.createCollection(model);
    // Paths in the examples (fileFrom("clip.mp4"), { to: "copy.mp4" }) are the reader's working directory.
    await writeFile(join(dir, "clip.mp4"), new Uint8Array(1000).fill(7));
    process.chdir(dir);
    // embedded.md shows embedded mode: no server URL anywhere, so its setup() starts a PocketBase.
    restore = page === "docs/embedded.md" ? withoutServerVariables() : useServerVariables(pb);
  }, 120_000);

  afterAll(async () => {
    restore();
    process.chdir(cwd);
    await admin?.close();
    await Promise.all([pb?.stop(), dir && rm(dir, { recursive: true, force: true })]);
  });

  it("runs", async () => {
    const auth = { url: pb.url, email: pb.email, password: pb.password };
    const env = openEnvWith(kind, auth);
    const senv = pocketmap.setup(auth);
    // realtime.md's feed of published posts ends at one titled "stop": one arrives every half second.
    const stop = setInterval(
      () => void admin.posts!.create({ title: "stop", status: "published" }).catch(() => {}),
      500,
    );
    const context = { ...pocketmap, ...(await values(page, admin)), env, senv };
    try {
      const logs = await runExamples(page, Object.keys(context), context, dir);
      expect(logs).toHaveLength(runnable(page).length);
      // Its own server, not the one this test started.
      if (page === "docs/embedded.md") expect(logs[0]![0]).not.toBe(pb.url);
    } finally {
      clearInterval(stop);
      await env.close();
      senv.close();
    }
  }, 120_000);
});
