// What replication cannot copy is said, once, with the count: auth records' passwords (PocketBase
// never lets a hash out). The records themselves are copied; a second run leaves the target's
// passwords alone; a cancelled live run's summary counts what it did live, and says it too. Both
// kinds, two real servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncEnvironment, ReplicationSummary } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { AUTODATES } from "./collections.ts";
import { side, type TwoServers, twoServers, until } from "./helpers.ts";
import { failure, KINDS, openEnvWith } from "./kinds.ts";

describe.each(KINDS)("replicating an auth collection (%s kind)", (kind) => {
  let a: EmbeddedServer;
  let b: EmbeddedServer;
  let envA: AsyncEnvironment;
  let envB: AsyncEnvironment;
  let pair: TwoServers | undefined;

  beforeAll(async () => {
    pair = await twoServers();
    ({ a, b, envA, envB } = pair);
    await envA.collection("users").createMany(
      [1, 2, 3].map((n) => ({
        email: `user${n}@pocketmap.test`,
        password: "source-password-1",
        passwordConfirm: "source-password-1",
        name: `user ${n}`,
        verified: n === 1,
      })),
    );
  }, 120_000);

  afterAll(async () => {
    await pair?.close();
  });

  it("copies the records, says once that 3 passwords were not copied, and keeps the target's on the next run", async () => {
    const env = openEnvWith(kind, side(b));
    try {
      const first = await env.replicate(side(a), side(b), { collections: ["users"] });
      expect(first.notCopied).toHaveLength(1);
      expect(first.notCopied[0]).toMatch(/^3 auth record\(s\) .*without their password/);
      const copied = await envB.collection("users").getFullList({ sort: "email" });
      expect(copied.map((u) => [u.email, u.name, u.verified])).toEqual([
        ["user1@pocketmap.test", "user 1", true],
        ["user2@pocketmap.test", "user 2", false],
        ["user3@pocketmap.test", "user 3", false],
      ]);
      const refused = await failure(() =>
        envB.collection("users").auth("user1@pocketmap.test", "source-password-1"),
      );
      // The source's password does not work there: the record has a random one.
      expect(refused.status).toBe(400);
      // The user resets it on the target; a later run changes the record, not the password.
      await envB
        .collection("users")
        .update(copied[0]!.id, { password: "target-password-1", passwordConfirm: "target-password-1" });
      await envA.collection("users").update(copied[0]!.id, { name: "renamed" });
      const second = await env.replicate(side(a), side(b), { collections: ["users"] });
      expect(second.notCopied).toEqual([]);
      expect((await envB.collection("users").getOne(copied[0]!.id)).name).toBe("renamed");
      const login = await envB.collection("users").auth("user1@pocketmap.test", "target-password-1");
      expect(login.record.id).toBe(copied[0]!.id);
    } finally {
      await env.close();
    }
  }, 120_000);

  it("copies an auth collection made without autodates (as the API makes one): nothing says a record is unchanged, so every run writes each", async () => {
    const name = `plain_${kind}`;
    await envA.createCollection({ name, type: "auth", fields: [{ name: "name", type: "text" }] });
    await envA.collection(name).createMany(
      [1, 2].map((n) => ({
        email: `plain${n}@pocketmap.test`,
        password: "source-password-1",
        passwordConfirm: "source-password-1",
        name: `plain ${n}`,
      })),
    );
    const env = openEnvWith(kind, side(b));
    try {
      const first = await env.replicate(side(a), side(b), { collections: [name] });
      expect([first.read, first.written]).toEqual([2, 2]);
      expect(first.notCopied[0]).toMatch(/^2 auth record\(s\) /);
      const names = async () =>
        (await envB.collection(name).getFullList({ sort: "name" })).map((r) => r.name);
      expect(await names()).toEqual(["plain 1", "plain 2"]);
      await envA
        .collection(name)
        .update((await envA.collection(name).getFirst({ filter: "name = 'plain 2'" })).id, {
          name: "plain 2, renamed",
        });
      const second = await env.replicate(side(a), side(b), { collections: [name] });
      expect([second.read, second.written, second.notCopied]).toEqual([2, 2, []]);
      expect(await names()).toEqual(["plain 1", "plain 2, renamed"]);
    } finally {
      await env.close();
    }
  }, 120_000);

  it("live, cancelled after changes: the summary counts the live write and delete, and says the 3 passwords not copied", async () => {
    const name = `members_${kind}`;
    await envA.createCollection({
      name,
      type: "auth",
      fields: [{ name: "name", type: "text" }, ...AUTODATES],
    });
    const member = (n: number) => ({
      email: `member${n}@pocketmap.test`,
      password: "source-password-1",
      passwordConfirm: "source-password-1",
      name: `member ${n}`,
    });
    const [first] = await envA.collection(name).createMany([member(1), member(2)]);
    const env = openEnvWith(kind, side(b));
    const live = env.replicate(side(a), side(b), { collections: [name], live: true }) as unknown as {
      on(event: string, fn: () => void): () => void;
      cancel(): unknown;
      done: Promise<ReplicationSummary>;
    };
    let paused = 0;
    live.on("paused", () => paused++);
    try {
      // The catch-up creates 2, then the live changes: a third member, and the first one deleted.
      expect(await until(() => paused > 0, 60_000)).toBe(true);
      const third = await envA.collection(name).create(member(3));
      await envA.collection(name).delete(first!.id);
      const copied = async () =>
        (await envB.collection(name).getFullList({ sort: "email", fields: "email" }))
          .map((m) => m.email)
          .join();
      expect(
        await until(async () => (await copied()) === "member2@pocketmap.test,member3@pocketmap.test", 60_000),
      ).toBe(true);
      expect((await envB.collection(name).getOne(third.id)).name).toBe("member 3");
    } finally {
      await live.cancel();
    }
    try {
      const summary = await live.done;
      expect(summary.notCopied).toHaveLength(1);
      expect(summary.notCopied[0]).toMatch(/^3 auth record\(s\) .*without their password/);
      const counts = summary.collections.find((c) => c.name === name);
      expect(counts?.deleted).toBe(1);
      expect(counts?.written).toBeGreaterThanOrEqual(3);
      expect(counts?.read).toBeGreaterThanOrEqual(counts!.written);
      expect([summary.written, summary.deleted]).toEqual([counts?.written, counts?.deleted]);
    } finally {
      await env.close();
    }
  }, 120_000);
});
