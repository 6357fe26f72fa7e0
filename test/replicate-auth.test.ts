// What replication cannot copy is said, once, with the count: auth records' passwords (PocketBase
// never lets a hash out). The records themselves are copied; a second run leaves the target's
// passwords alone. Both kinds, two real servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, setup } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { privateServer } from "./helpers.ts";
import { failure, KINDS, openEnvWith } from "./kinds.ts";

const side = (s: EmbeddedServer) => ({ url: s.url, email: s.email, password: s.password });

describe.each(KINDS)("replicating an auth collection (%s kind)", (kind) => {
  let a: EmbeddedServer;
  let b: EmbeddedServer;
  let envA: AsyncEnvironment;
  let envB: AsyncEnvironment;

  beforeAll(async () => {
    [a, b] = await Promise.all([privateServer(), privateServer()]);
    envA = setup({ async: true, ...side(a) });
    envB = setup({ async: true, ...side(b) });
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
    await envA?.close();
    await envB?.close();
    await Promise.all([a?.stop(), b?.stop()]);
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
});
