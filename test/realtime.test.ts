// Realtime on both kinds, against the real server: record events, topics, options, identities, a
// burst, change feeds, and reconnection after a killed server and after a dropped stream.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncChanges, AsyncEnvironment, BaseRecord, RecordEvent, SyncChanges } from "../src/index.ts";
import { NetworkError } from "../src/index.ts";
import { installPocketBase } from "../src/server/binary.ts";
import { freePort, startEmbedded } from "../src/server/embedded.ts";
import { freshPosts, server, superuserEnv, uniqueName, until } from "./helpers.ts";
import { KINDS, openEnv, openEnvWith, settle, type TestKind } from "./kinds.ts";

type Unsubscribe = () => unknown;
type Heard = RecordEvent<BaseRecord>;

/** Subscribes on either kind (sync returns the function, async a Promise of it). */
async function listen(
  env: AsyncEnvironment,
  collection: string,
  topic: string,
  options?: Record<string, unknown>,
): Promise<{ heard: Heard[]; stop: Unsubscribe }> {
  const heard: Heard[] = [];
  const stop = await env.collection(collection).subscribe(topic, (event) => heard.push(event), options);
  return { heard, stop };
}

/**
 * A TCP proxy in front of the suite's server (in a worker thread: a sync call blocks this one) that
 * drops the realtime streams on demand, as PocketBase's 30-minute cap does.
 */
async function streamCutter(target: string) {
  const worker = new Worker(new URL("./fixtures/stream-cutter.ts", import.meta.url), {
    workerData: { target },
  });
  const [{ port }] = (await once(worker, "message")) as [{ port: number }];
  let next = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Drops every open realtime stream (other connections stay); resolves to how many it dropped. */
    async cut(): Promise<number> {
      const id = next++;
      const answer = new Promise<number>((done) => {
        const listener = (message: { cut?: number; count: number }) => {
          if (message.cut !== id) return;
          worker.off("message", listener);
          done(message.count);
        };
        worker.on("message", listener);
      });
      worker.postMessage({ cut: id });
      return answer;
    },
    close: () => worker.terminate(),
  };
}

/** The `disconnect` and `reconnect` events an environment emits, in order. */
function connectionStates(env: {
  on(name: "disconnect" | "reconnect", listener: () => void): unknown;
}): string[] {
  const states: string[] = [];
  env.on("disconnect", () => {
    states.push("disconnect");
  });
  env.on("reconnect", () => {
    states.push("reconnect");
  });
  return states;
}

describe.each(KINDS)("realtime (%s kind)", (kind: TestKind) => {
  const admin = superuserEnv();
  let env: AsyncEnvironment;
  let name: string;
  beforeAll(async () => {
    env = openEnv(kind);
    name = await freshPosts(admin, "live");
  });
  afterAll(async () => {
    await env.close();
    await admin.close();
  });

  it("hears create, update and delete of every record, with the record", async () => {
    const { heard, stop } = await listen(env, name, "*");
    const posts = env.collection(name);
    const created = await posts.create({ title: "one" });
    await posts.update(created.id, { title: "two" });
    await posts.remove(created.id);
    expect(await until(() => heard.length >= 3)).toBe(true);
    // PocketBase does not guarantee the order of delivery.
    expect(heard.map((event) => event.action).sort()).toEqual(["create", "delete", "update"]);
    expect(heard.map((event) => event.record.id)).toEqual([created.id, created.id, created.id]);
    expect(heard.find((event) => event.action === "update")!.record.title).toBe("two");
    await stop();
    // Unsubscribed: nothing more arrives (the control subscription proves the later write was sent).
    const control = await listen(env, name, "*");
    await posts.create({ title: "after" });
    expect(await until(() => control.heard.length === 1)).toBe(true);
    expect(heard).toHaveLength(3);
    await control.stop();
  });

  it("subscribes again at once after the last unsubscribe closed the stream", async () => {
    // Each stop() closes the stream (nothing is left to hear); the next subscribe must wait for a new
    // stream rather than submit under the old stream's client id, which the server has dropped.
    const posts = env.collection(name);
    for (let round = 0; round < 8; round++) {
      const first = await listen(env, name, "*");
      await first.stop();
      const again = await listen(env, name, "*");
      const record = await posts.create({ title: `round ${round}` });
      expect(await until(() => again.heard.some((event) => event.record.id === record.id))).toBe(true);
      await again.stop();
    }
  });

  it("hears one record on its topic, and only that one", async () => {
    const posts = env.collection(name);
    const [a, b] = [await posts.create({ title: "a" }), await posts.create({ title: "b" })];
    const { heard, stop } = await listen(env, name, a.id);
    await posts.update(b.id, { title: "b2" });
    await posts.update(a.id, { title: "a2" });
    expect(await until(() => heard.length >= 1)).toBe(true);
    await sleep(50);
    expect(heard.map((event) => [event.action, event.record.id, event.record.title])).toEqual([
      ["update", a.id, "a2"],
    ]);
    await stop();
  });

  it("applies the filter, fields and expand options", async () => {
    const posts = env.collection(name);
    const author = await admin.authors!.create({ name: "Ann" });
    const { heard, stop } = await listen(env, name, "*", {
      filter: { status: "published" },
      fields: "id,title,expand",
      expand: "author",
    });
    // Two subscriptions to the same topic and options share one server-side topic.
    const twin = await listen(env, name, "*", {
      expand: "author",
      filter: { status: "published" },
      fields: "id,title,expand",
    });
    await posts.create({ title: "draft", status: "draft" });
    const published = await posts.create({ title: "out", status: "published", author: author.id });
    expect(await until(() => heard.length >= 1 && twin.heard.length >= 1)).toBe(true);
    await sleep(50);
    expect(heard).toEqual([
      {
        action: "create",
        record: {
          id: published.id,
          title: "out",
          expand: { author: expect.objectContaining({ name: "Ann" }) },
        },
      },
    ]);
    expect(twin.heard).toEqual(heard);
    await twin.stop();
    // One of two unsubscribed: the other still hears.
    await posts.update(published.id, { title: "still" });
    expect(await until(() => heard.length === 2)).toBe(true);
    expect(twin.heard).toHaveLength(1);
    await stop();
  });

  it("gives each identity its own connection: the rules decide what it hears", async () => {
    const members = uniqueName("members");
    const membersModel = await admin.createCollection({ name: members, type: "auth", fields: [] });
    const users = [];
    for (const who of ["ann", "bob"]) {
      const credentials = { email: `${who}@${members}.test`, password: `${who}-password-123` };
      const user = await admin
        .collection(members)
        .create({ ...credentials, passwordConfirm: credentials.password });
      const { token } = await admin.send<{ token: string }>(
        `/api/collections/${members}/auth-with-password`,
        {
          method: "POST",
          body: { identity: credentials.email, password: credentials.password },
          anonymous: true,
        },
      );
      users.push({ id: user.id, token });
    }
    const notes = uniqueName("notes");
    const ownRule = "owner = @request.auth.id";
    await admin.createCollection({
      name: notes,
      type: "base",
      listRule: ownRule,
      viewRule: ownRule,
      fields: [
        { name: "title", type: "text" },
        { name: "owner", type: "relation", collectionId: membersModel.id, maxSelect: 1 },
      ],
    });
    const ann = openEnvWith(kind, { url: server().url, token: users[0]!.token });
    try {
      const annHears = await listen(ann, notes, "*");
      const allHears = await listen(env, notes, "*");
      await admin.collection(notes).create({ title: "bob's", owner: users[1]!.id });
      await admin.collection(notes).create({ title: "ann's", owner: users[0]!.id });
      expect(await until(() => annHears.heard.length >= 1 && allHears.heard.length >= 2)).toBe(true);
      await sleep(50);
      expect(annHears.heard.map((event) => event.record.title)).toEqual(["ann's"]);
      expect(allHears.heard.map((event) => event.record.title).sort()).toEqual(["ann's", "bob's"]);
      await annHears.stop();
      await allHears.stop();
    } finally {
      await ann.close();
    }
  });

  it("delivers a burst of 1,000 events, each once", async () => {
    const burst = await freshPosts(admin, "burst");
    const { heard, stop } = await listen(env, burst, "*");
    const created: string[] = [];
    for (let chunk = 0; chunk < 20; chunk++) {
      const results = await admin.batch(
        Array.from({ length: 50 }, (_, n) => ({
          method: "POST" as const,
          url: `/api/collections/${burst}/records`,
          body: { n: chunk * 50 + n },
        })),
      );
      for (const result of results) created.push((result.body as { id: string }).id);
    }
    expect(await until(() => heard.length >= 1000, 60_000)).toBe(true);
    await sleep(100);
    expect(heard).toHaveLength(1000);
    expect(new Set(heard.map((event) => event.record.id))).toEqual(new Set(created));
    expect(heard.every((event) => event.action === "create")).toBe(true);
    await stop();
  });

  it("feeds changes() until cancelled or closed", async () => {
    const local = openEnv(kind);
    const posts = local.collection(name);
    const seen: Heard[] = [];
    let ended: Promise<unknown> = Promise.resolve();
    let feed: AsyncChanges<BaseRecord> | SyncChanges<BaseRecord>;
    if (kind === "async") {
      const iterable = posts.changes({ filter: { status: "feed" } });
      await iterable.ready;
      feed = iterable;
      ended = (async () => {
        for await (const change of iterable) seen.push(change);
      })();
    } else {
      const sync = posts.changes({ filter: { status: "feed" } }) as unknown as SyncChanges<BaseRecord>;
      sync.on("change", (change) => seen.push(change));
      feed = sync;
    }
    const record = await posts.create({ title: "fed", status: "feed" });
    await posts.create({ title: "not fed", status: "other" });
    await posts.update(record.id, { title: "fed again" });
    expect(await until(() => seen.length >= 2)).toBe(true);
    expect(seen.map((change) => [change.action, change.record.title]).sort()).toEqual([
      ["create", "fed"],
      ["update", "fed again"],
    ]);
    // The async feed's loop ends when the environment closes; the sync feed is cancelled first.
    if (kind === "sync") (feed as SyncChanges<BaseRecord>).cancel();
    await local.close();
    await ended;
    await admin.collection(name).update(record.id, { title: "after close" });
    await sleep(100);
    expect(seen).toHaveLength(2);
  });

  it("fails a subscribe when the server cannot be reached, with a NetworkError", async () => {
    const port = await freePort(); // nothing listens there
    const local = openEnvWith(kind, { url: `http://127.0.0.1:${port}`, retries: 0 });
    try {
      const failed = await settle(() => local.collection("posts").subscribe("*", () => {})).catch(
        (error) => error,
      );
      expect(failed).toBeInstanceOf(NetworkError);
      expect((failed as Error).message).toMatch(/realtime stream could not be opened/);
    } finally {
      await local.close();
    }
  });

  it("reconnects after the stream is dropped (the 30-minute cap) and keeps every subscription", async () => {
    const proxy = await streamCutter(server().url);
    const { email, password } = server();
    const local = openEnvWith(kind, { url: proxy.url, email, password });
    const states = connectionStates(local);
    try {
      const all = await listen(local, name, "*");
      const first = await local.collection(name).create({ title: "before the cut" });
      const one = await listen(local, name, first.id);
      expect(await until(() => all.heard.length === 1)).toBe(true);
      expect(await proxy.cut()).toBe(1);
      expect(await until(() => states.join() === "disconnect,reconnect")).toBe(true);
      await local.collection(name).update(first.id, { title: "after the cut" });
      expect(await until(() => all.heard.length === 2 && one.heard.length === 1)).toBe(true);
      expect(all.heard.map((event) => event.record.title).sort()).toEqual([
        "after the cut",
        "before the cut",
      ]);
      await all.stop();
      await one.stop();
    } finally {
      await local.close();
      await proxy.close();
    }
  });

  it("reconnects to a server that was killed and restarted on the same port and data dir", async () => {
    const root = await mkdtemp(join(tmpdir(), "pocketmap-restart-"));
    const dir = join(root, "pb_data");
    const first = await startEmbedded({ dir, bin: await installPocketBase(server().version) });
    const port = new URL(first.url).port;
    let again: ChildProcess | undefined;
    const local = openEnvWith(kind, { url: first.url, email: first.email, password: first.password });
    const states = connectionStates(local);
    try {
      await local.createCollection({
        name: "things",
        type: "base",
        listRule: "",
        viewRule: "",
        fields: [{ name: "title", type: "text" }],
      });
      const { heard, stop } = await listen(local, "things", "*");
      await local.collection("things").create({ title: "before" });
      expect(await until(() => heard.length === 1)).toBe(true);
      process.kill(first.pid, "SIGKILL");
      expect(await until(() => states.includes("disconnect"))).toBe(true);
      again = spawn(
        await installPocketBase(server().version),
        ["serve", `--http=127.0.0.1:${port}`, `--dir=${dir}`],
        {
          stdio: "ignore",
        },
      );
      expect(await until(() => states.includes("reconnect"), 30_000)).toBe(true);
      expect(states).toEqual(["disconnect", "reconnect"]);
      await local.collection("things").create({ title: "after" });
      expect(await until(() => heard.length === 2)).toBe(true);
      expect(heard.map((event) => event.record.title).sort()).toEqual(["after", "before"]);
      await stop();
    } finally {
      await local.close();
      again?.kill("SIGKILL");
      await first.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
