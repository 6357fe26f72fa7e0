// The replication suites' data: three related collections on a source server (a self relation and a
// cycle between two collections, so both need the second pass), seeded with json, select, date,
// bool, number, relation and file fields, and the comparison of two servers' copies.
import { expect } from "vitest";
import type { AsyncEnvironment } from "../src/index.ts";

const autodates = [
  { name: "created", type: "autodate", onCreate: true, onUpdate: false },
  { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
];

/** The three collections' names, by role, for one test's prefix. */
export function names(prefix: string) {
  return { authors: `${prefix}_authors`, posts: `${prefix}_posts`, comments: `${prefix}_comments` };
}

/** Creates the schema on `env` (the source). */
export async function createSchema(env: AsyncEnvironment, prefix: string): Promise<void> {
  const n = names(prefix);
  const authors = await env.createCollection({
    name: n.authors,
    type: "base",
    fields: [
      { name: "name", type: "text" },
      { name: "profile", type: "json" },
      { name: "active", type: "bool" },
      { name: "avatar", type: "file", maxSelect: 1, maxSize: 1_000_000 },
      ...autodates,
    ],
  });
  await env.admin.collections.update(n.authors, {
    fields: [
      ...((await env.admin.collections.get(n.authors))!.fields as object[]),
      { name: "mentor", type: "relation", collectionId: authors.id, maxSelect: 1 },
    ],
  });
  const posts = await env.createCollection({
    name: n.posts,
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "tags", type: "select", values: ["a", "b", "c", "d"], maxSelect: 3 },
      { name: "published", type: "date" },
      { name: "score", type: "number" },
      { name: "author", type: "relation", collectionId: authors.id, maxSelect: 1 },
      { name: "attachments", type: "file", maxSelect: 2, maxSize: 1_000_000 },
      ...autodates,
    ],
  });
  await env.createCollection({
    name: n.comments,
    type: "base",
    fields: [
      { name: "body", type: "text" },
      { name: "post", type: "relation", collectionId: posts.id, maxSelect: 1 },
      { name: "author", type: "relation", collectionId: authors.id, maxSelect: 1 },
      { name: "rating", type: "number" },
      ...autodates,
    ],
  });
  // posts ↔ comments: a cycle of two collections.
  const comments = (await env.admin.collections.get(n.comments))!;
  await env.admin.collections.update(n.posts, {
    fields: [
      ...((await env.admin.collections.get(n.posts))!.fields as object[]),
      { name: "featured", type: "relation", collectionId: comments.id, maxSelect: 1 },
    ],
  });
}

/** A record id of our own, so relations can be set at creation. */
export const rid = (kind: string, i: number) => `${kind}${String(i).padStart(15 - kind.length, "0")}`;

const bytes = (label: string) => new TextEncoder().encode(`file ${label} `.repeat(20));

/** Seeds `counts` records; `withFiles` of the authors and of the posts get files. */
export async function seed(
  env: AsyncEnvironment,
  prefix: string,
  counts: { authors: number; posts: number; comments: number },
  withFiles: number,
): Promise<void> {
  const n = names(prefix);
  const authors = Array.from({ length: counts.authors }, (_, i) => ({
    id: rid("a", i),
    name: `author ${i}`,
    profile: { i, tags: ["x", i % 7], nested: { ok: i % 2 === 0 } },
    active: i % 3 === 0,
    ...(i < withFiles ? { avatar: new File([bytes(`avatar ${i}`)], `avatar${i}.txt`) } : {}),
  }));
  await env.collection(n.authors).createMany(authors);
  // The self relation: every author but the first has a mentor.
  await env
    .collection(n.authors)
    .updateMany(authors.slice(1).map((a, i) => ({ id: a.id, mentor: rid("a", i) })));
  const posts = Array.from({ length: counts.posts }, (_, i) => ({
    id: rid("p", i),
    title: `post ${i}`,
    tags: ["a", "b", "c", "d"].slice(0, (i % 3) + 1),
    published: new Date(Date.UTC(2026, 0, 1 + (i % 300))).toISOString().replace("T", " "),
    score: i * 1.5,
    author: rid("a", i % counts.authors),
    ...(i < withFiles
      ? {
          attachments: [new File([bytes(`p${i} one`)], "one.txt"), new File([bytes(`p${i} two`)], "two.txt")],
        }
      : {}),
  }));
  await env.collection(n.posts).createMany(posts);
  const comments = Array.from({ length: counts.comments }, (_, i) => ({
    id: rid("c", i),
    body: `comment ${i}`,
    post: rid("p", i % counts.posts),
    author: rid("a", (i * 7) % counts.authors),
    rating: i % 5,
  }));
  await env.collection(n.comments).createMany(comments);
  const featured = Math.min(counts.posts, counts.comments, 500);
  await env
    .collection(n.posts)
    .updateMany(Array.from({ length: featured }, (_, i) => ({ id: rid("p", i), featured: rid("c", i) })));
}

const SKIP = new Set(["created", "updated", "collectionId", "collectionName"]);
const FILES: Record<string, string[]> = { authors: ["avatar"], posts: ["attachments"], comments: [] };

/** Every record of a collection, in id order, without what a copy may not keep (autodates, file names). */
async function records(env: AsyncEnvironment, name: string, files: string[]) {
  const all = await env.collection(name).getFullList({ sort: "id" });
  return all.map((record) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      if (SKIP.has(key)) continue;
      out[key] = files.includes(key) ? (Array.isArray(value) ? value.length : value ? 1 : 0) : value;
    }
    return out;
  });
}

/** Expects the target to hold exactly the source's records: ids, values, and files byte for byte. */
export async function expectSame(source: AsyncEnvironment, target: AsyncEnvironment, prefix: string) {
  const n = names(prefix);
  for (const role of ["authors", "posts", "comments"] as const) {
    const name = n[role];
    const [a, b] = [await records(source, name, FILES[role]!), await records(target, name, FILES[role]!)];
    expect(b.length, name).toBe(a.length);
    expect(b, name).toEqual(a);
    for (const field of FILES[role]!) {
      const withFiles = await source.collection(name).getFullList({ filter: `${field} != ""`, sort: "id" });
      for (const record of withFiles) {
        const copy = await target.collection(name).getOne(record.id);
        const mine = ([] as string[]).concat(record[field] as string[]);
        const theirs = ([] as string[]).concat(copy[field] as string[]);
        expect(theirs.length).toBe(mine.length);
        for (let i = 0; i < mine.length; i++) {
          const original = await source.download(record, mine[i]!);
          expect(await target.download(copy, theirs[i]!)).toEqual(original);
        }
      }
    }
  }
}
