// A live replication's handle, in both kinds, between two real servers: `active` while it copies and
// `paused` once caught up (again after each change), `error` for a round the target refuses, after
// which the replication retries by itself and catches up; and `close()` of its environment ends it,
// with its summary, also when it was started from one of its identities.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncEnvironment, PocketBaseError, ReplicationSummary } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { notesModel } from "./collections.ts";
import { side, type TwoServers, twoServers, until } from "./helpers.ts";
import { KINDS, openEnvWith } from "./kinds.ts";

type LiveHandle = {
  on(event: string, fn: (data: never) => void): () => void;
  cancel(): unknown;
};

let a: EmbeddedServer;
let b: EmbeddedServer;
let envA: AsyncEnvironment;
let envB: AsyncEnvironment;
let pair: TwoServers | undefined;

beforeAll(async () => {
  pair = await twoServers();
  ({ a, b, envA, envB } = pair);
}, 120_000);

afterAll(async () => {
  await pair?.close();
});

/** Whether `events` has an `active` and, after it, a `paused`. */
const activeThenPaused = (events: readonly string[]) => {
  const active = events.indexOf("active");
  return active >= 0 && events.indexOf("paused", active) > active;
};

describe.each(KINDS)("a live replication's events (%s kind)", (kind) => {
  let env: AsyncEnvironment;

  beforeAll(() => {
    env = openEnvWith(kind, side(b));
  });
  afterAll(async () => {
    await env?.close();
  });

  it("emits active, then paused once caught up; a change makes it active, then paused again", async () => {
    const name = `events_${kind}`;
    await envA.createCollection(notesModel(name));
    await envA.collection(name).createMany([{ title: "one" }, { title: "two" }]);
    const live = env.replicate(side(a), side(b), {
      collections: [name],
      live: true,
    }) as unknown as LiveHandle;
    const events: string[] = [];
    live.on("active", () => events.push("active"));
    live.on("paused", () => events.push("paused"));
    try {
      expect(await until(() => events.includes("paused"), 60_000)).toBe(true);
      // The catch-up is a round: active first, paused when it is done.
      expect(events[0]).toBe("active");
      expect(activeThenPaused(events)).toBe(true);
      expect(await envB.collection(name).count()).toBe(2);
      const heard = events.length;
      const made = await envA.collection(name).create({ title: "three" });
      expect(await until(() => activeThenPaused(events.slice(heard)), 60_000)).toBe(true);
      expect((await envB.collection(name).getOne(made.id)).title).toBe("three");
    } finally {
      await live.cancel();
    }
  }, 120_000);

  /**
   * Starts a live replication of a new collection of 2 records from `runner(host)`, waits until it is
   * caught up, closes `host`, and returns the summary its `done` resolves with (the test's timeout is
   * the hang guard: it never settled before).
   */
  async function closedWhileLive(
    name: string,
    runner: (host: AsyncEnvironment) => Promise<AsyncEnvironment>,
  ): Promise<ReplicationSummary> {
    await envA.createCollection(notesModel(name));
    await envA.collection(name).createMany([{ title: "one" }, { title: "two" }]);
    const host = openEnvWith(kind, side(b));
    const live = (await runner(host)).replicate(side(a), side(b), {
      collections: [name],
      live: true,
    }) as unknown as LiveHandle & { done: Promise<ReplicationSummary> };
    let paused = 0;
    live.on("paused", () => paused++);
    try {
      expect(await until(() => paused > 0, 60_000)).toBe(true);
    } finally {
      await host.close();
    }
    return live.done;
  }

  it("is cancelled by close() of the environment that runs it: done resolves with its summary", async () => {
    const name = `closed_${kind}`;
    const summary = await closedWhileLive(name, async (host) => host);
    expect(summary.collections.find((c) => c.name === name)?.written).toBe(2);
    expect(summary.notCopied).toEqual([]);
  }, 120_000);

  it("started from an identity (as()), is cancelled by close() of the environment it came from", async () => {
    const name = `identity_${kind}`;
    const superuser = await envB.collection("_superusers").auth.withPassword(b.email, b.password);
    const summary = await closedWhileLive(name, async (host) => host.as(superuser));
    expect(summary.collections.find((c) => c.name === name)?.written).toBe(2);
  }, 120_000);

  it("emits error for a round the target refuses, retries, and catches up once it accepts", async () => {
    const name = `refused_${kind}`;
    await envA.createCollection(notesModel(name));
    await envA.collection(name).create({ title: "one" });
    const live = env.replicate(side(a), side(b), {
      collections: [name],
      live: true,
    }) as unknown as LiveHandle;
    let paused = 0;
    const errors: PocketBaseError[] = [];
    live.on("paused", () => paused++);
    live.on("error", (error: PocketBaseError) => errors.push(error));
    try {
      expect(await until(() => paused > 0, 60_000)).toBe(true);
      // The target now requires a field the source's records lack: the next write fails.
      const model = await envB.admin.collections.get(name);
      const fields = model!.fields as Record<string, unknown>[];
      await envB.admin.collections.update(name, {
        fields: [...fields, { name: "required_here", type: "text", required: true }],
      });
      const made = await envA.collection(name).create({ title: "refused at first" });
      expect(await until(() => errors.length > 0, 60_000)).toBe(true);
      expect(errors[0]).toBeInstanceOf(Error);
      expect(errors[0]!.status).toBe(400);
      expect(await envB.collection(name).has(made.id)).toBe(false);
      // Accepted again: a retry (a catch-up from the checkpoint) copies what the failed round missed.
      await envB.admin.collections.update(name, { fields });
      expect(await until(() => envB.collection(name).has(made.id), 60_000)).toBe(true);
      expect((await envB.collection(name).getOne(made.id)).title).toBe("refused at first");
    } finally {
      await live.cancel();
    }
  }, 120_000);
});
