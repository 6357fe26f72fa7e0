// pocketmap types: the interfaces compile under tsc --strict and type a real setup<S>() program.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli-run.ts";
import { freshPosts, superuserEnv } from "./helpers.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");

describe("pocketmap types", () => {
  const admin = superuserEnv();
  afterAll(() => admin.close());

  it("prints interfaces named as pocketbase-typegen names them, that type setup<CollectionRecords>(); typegen's CollectionResponses types it too", async () => {
    const name = await freshPosts(admin, "clitypes");
    await admin.admin.collections.update(name, {
      fields: [
        ...(await admin.admin.collections.get(name))!.fields,
        { name: "status_kind", type: "select", values: ["draft", "live"], maxSelect: 1 },
        { name: "tags", type: "select", values: ["a", "b"], maxSelect: 2 },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "pocketmap-types-"));
    const { code, stdout } = await cli(["types", "-o", join(dir, "schema.ts")]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    const type = name
      .replace(/^./, (c) => c.toUpperCase())
      .replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

    writeFileSync(
      join(dir, "program.ts"),
      `import { setup } from "${join(ROOT, "src/index.ts")}";
import { type CollectionRecords, Collections, type ${type}Record, type ${type}StatusKindOptions } from "./schema.ts";

export async function program(): Promise<void> {
  const env = setup<CollectionRecords>({ async: true });
  const post = await env.collection(Collections.${type}).getOne("x");
  const title: string = post.title;
  const n: number = post.n;
  const featured: boolean = post.featured;
  const status: ${type}StatusKindOptions = post.status_kind;
  const tags: ("a" | "b")[] = post.tags;
  const author: string = post.author;
  const record: ${type}Record = post;
  // @ts-expect-error: no such field
  post.nope;
  // @ts-expect-error: a number field
  await env.collection("${name}").create({ n: "three" });
  console.log(title, n, featured, status, tags, author, record, env.users.name);
}
`,
    );
    // pocketbase-typegen's own output shape (an enum, Record and Response types, CollectionResponses),
    // as setup<S>() must also take it.
    writeFileSync(
      join(dir, "typegen.ts"),
      `import { setup } from "${join(ROOT, "src/index.ts")}";

export enum Collections {
  ${type} = "${name}",
}
export type IsoDateString = string;
export type RecordIdString = string;
export type BaseSystemFields<T = unknown> = {
  id: RecordIdString;
  collectionId: string;
  collectionName: Collections;
  expand?: T;
};
export type ${type}Record = { title?: string; n?: number; published?: IsoDateString; author?: RecordIdString };
export type ${type}Response<Texpand = unknown> = Required<${type}Record> & BaseSystemFields<Texpand>;
export type CollectionResponses = { "${name}": ${type}Response };

export async function typegen(): Promise<void> {
  const env = setup<CollectionResponses>({ async: true });
  const post = await env.collection(Collections.${type}).getOne("x");
  const title: string = post.title;
  const n: number = post.n;
  const name: Collections = post.collectionName;
  // @ts-expect-error: no such field
  post.nope;
  // @ts-expect-error: a number field
  await env.collection(Collections.${type}).create({ n: "three" });
  console.log(title, n, name);
}
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.json"),
        compilerOptions: {
          strict: true,
          noEmit: true,
          erasableSyntaxOnly: false,
          typeRoots: [join(ROOT, "node_modules/@types")],
        },
        include: ["*.ts"],
      }),
    );
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", dir]).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });
});
