// env.replicate() one-shot, in both kinds, between two real PocketBase servers: schema, records with
// their ids in relation order (a self relation and a two-collection cycle), files, deletes, and
// incremental runs from the checkpoints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, InvalidInputError, setup } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { privateServer, tripwire } from "./helpers.ts";
import { failure, KINDS, openEnvWith } from "./kinds.ts";
import { createSchema, expectSame, names, rid, seed } from "./replication-data.ts";

const COUNTS = { authors: 2_000, posts: 6_000, comments: 12_000 };
const PREFIX = "rep";

let source: EmbeddedServer;
let sourceEnv: AsyncEnvironment;
const side = (server: EmbeddedServer) => ({
  url: server.url,
  email: server.email,
  password: server.password,
});

beforeAll(async () => {
  source = await privateServer();
  sourceEnv = setup({ async: true, ...side(source) });
  await createSchema(sourceEnv, PREFIX);
  await seed(sourceEnv, PREFIX, COUNTS, 30);
}, 300_000);

afterAll(async () => {
  await sourceEnv?.close();
  await source?.stop();
});

describe.each(KINDS)("replicate() one-shot (%s kind)", (kind) => {
  let target: EmbeddedServer;
  let targetEnv: AsyncEnvironment;
  let env: AsyncEnvironment;

  beforeAll(async () => {
    target = await privateServer();
    targetEnv = setup({ async: true, ...side(target) });
    env = openEnvWith(kind, side(target));
  });
  afterAll(async () => {
    await env?.close();
    await targetEnv?.close();
    await target?.stop();
  });

  it("copies schema, 20,000 related records and their files: the target holds exactly the source's", async () => {
    const n = names(PREFIX);
    let total = 0;
    for (const name of Object.values(n)) total += await sourceEnv.collection(name).count();
    const summary = await env.replicate(side(source), side(target));
    // Records written while the run read them may be read twice (the overlap), never written twice.
    expect(summary.read).toBeGreaterThanOrEqual(total);
    expect(summary.written).toBe(total);
    expect(summary.deleted).toBe(0);
    expect(summary.notCopied).toEqual([]);
    await expectSame(sourceEnv, targetEnv, PREFIX);
  }, 300_000);

  it("a second run, with environments of this kind as its sides, reads nothing and writes nothing", async () => {
    const from = openEnvWith(kind, side(source));
    let summary: Awaited<ReturnType<typeof env.replicate>>;
    try {
      summary = await env.replicate(from, env);
    } finally {
      await from.close();
    }
    expect(summary.written).toBe(0);
    expect(summary.read).toBe(0);
    await expectSame(sourceEnv, targetEnv, PREFIX);
  }, 120_000);

  it("after changes, deletes and creations on the source, an incremental run is exact and reads about the changes", async () => {
    const n = names(PREFIX);
    const tag = `${kind}-${Date.now()}`;
    await sourceEnv.collection(n.posts).updateMany(
      Array.from({ length: 100 }, (_, i) => ({
        id: rid("p", 1000 + i),
        title: `changed ${tag}`,
        score: -i,
      })),
    );
    await sourceEnv
      .collection(n.comments)
      .deleteMany(Array.from({ length: 50 }, (_, i) => rid("c", 5000 + i + (kind === "sync" ? 100 : 0))));
    await sourceEnv.collection(n.authors).createMany(
      Array.from({ length: 20 }, (_, i) => ({
        id: rid(`n${kind[0]}`, i),
        name: `new ${tag}`,
        mentor: rid("a", 1),
      })),
    );
    const summary = await env.replicate(side(source), side(target));
    expect(summary.deleted).toBe(50);
    expect(summary.written).toBeGreaterThanOrEqual(120);
    // The changes, plus at most what was written within the overlap before them.
    expect(summary.read).toBeLessThan(1_000);
    await expectSame(sourceEnv, targetEnv, PREFIX);
  }, 120_000);
});

describe("replicate()'s input", () => {
  it("refuses a side that is neither an environment nor options with a url, before any request", async () => {
    for (const kind of KINDS) {
      const env = openEnvWith(kind, { url: "http://127.0.0.1:9", token: "a.b.c", retries: 0 });
      try {
        for (const [sides, message] of [
          [[{}, { url: "http://x" }], /must name a url/],
          [["http://x", { url: "http://x" }], /takes an environment or setup options/],
          [[{ url: "http://x", async: true }, { url: "http://x" }], /no "async"/],
        ] as const) {
          const error = await failure(() => env.replicate(...(sides as unknown as [never, never])));
          expect(error).toBeInstanceOf(InvalidInputError);
          expect(error.message).toMatch(message);
        }
        const same = await failure(() =>
          env.replicate({ url: "http://127.0.0.1:9" }, { url: "http://127.0.0.1:9/" }),
        );
        expect(same).toBeInstanceOf(InvalidInputError);
        expect(same.message).toMatch(/needs two servers/);
        const bad = await failure(() =>
          env.replicate({ url: "http://x" }, { url: "http://y" }, { collections: [] } as never),
        );
        expect(bad.message).toMatch(/collections must be a non-empty array/);
      } finally {
        await env.close();
      }
    }
  });

  it("refuses an environment of the other kind as a side, saying what to pass instead, before any request", async () => {
    const wire = await tripwire();
    const envs = Object.fromEntries(
      KINDS.map((kind) => [kind, openEnvWith(kind, { url: wire.url, token: "a.b.c", retries: 0 })]),
    ) as Record<(typeof KINDS)[number], AsyncEnvironment>;
    const server = { url: "http://127.0.0.1:9" };
    try {
      for (const kind of KINDS) {
        const [env, other] = [envs[kind], envs[kind === "async" ? "sync" : "async"]];
        for (const [call, name, method] of [
          [() => env.replicate(other, server), "source", "replicate"],
          [() => env.replicate(server, other), "target", "replicate"],
          [() => env.sync(other, server), "a", "sync"],
          [() => env.sync(server, other), "b", "sync"],
        ] as const) {
          const error = await failure(call);
          expect(error).toBeInstanceOf(InvalidInputError);
          const otherKind = kind === "async" ? "a sync" : "an async";
          expect(error.message).toContain(
            `${method}() of a${kind === "async" ? "n" : ""} ${kind} environment`,
          );
          expect(error.message).toContain(`as ${name} `);
          expect(error.message).toContain(`or setup options, not ${otherKind} one`);
          expect(error.message).toContain(
            "pass that side's setup options ({ url, email, password }) instead",
          );
        }
      }
      expect(wire.connections).toBe(0);
    } finally {
      for (const env of Object.values(envs)) await env.close();
      await wire.close();
    }
  });
});
