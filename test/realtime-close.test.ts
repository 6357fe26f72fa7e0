// Realtime promises kept against the real server, on both kinds: closing an environment closes the
// realtime connections of its `as()` identities (issue 16, item 2), and a subscription PocketBase
// refuses on a live stream fails at once with its BadRequestError (item 7).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BadRequestError } from "../src/index.ts";
import { freshPosts, server, superuserEnv, superuserToken, until } from "./helpers.ts";
import { failure, KINDS, openEnvWith, type TestKind } from "./kinds.ts";

const run = promisify(execFile);
const fixture = join(import.meta.dirname, "fixtures/identity-close.ts");

describe.each(KINDS)("realtime promises (%s kind)", (kind: TestKind) => {
  const admin = superuserEnv();
  afterAll(() => admin.close());

  it("closes the realtime connections of env.as() identities with env: no callback after, the script exits", async () => {
    const name = await freshPosts(admin, "asclose");
    const { url, email, password } = server();
    const variables = { POCKETBASE_URL: url, POCKETBASE_EMAIL: email, POCKETBASE_PASSWORD: password };
    const { stdout } = await run(process.execPath, [fixture, kind, name], {
      timeout: 30_000, // a hang guard, not a speed check: an identity's open stream holds the process
      env: { ...process.env, ...variables, IDENTITY_TOKEN: await superuserToken() },
    });
    expect(stdout).toBe("heard before\nclosed\n");
  });

  it("fails a subscription the server refuses on a live stream at once, with its BadRequestError", async () => {
    const { url, email, password } = server();
    // A timeout long enough that a subscribe left waiting would end in a TimeoutError, not hang the test.
    const env = openEnvWith(kind, { url, email, password, timeout: 8_000 });
    try {
      const name = await freshPosts(admin, "refused");
      const heard: string[] = [];
      const stop = await env
        .collection(name)
        .subscribe("*", ({ record }) => heard.push(String(record.title)));
      // PocketBase refuses a topic over 2,500 characters (and changes nothing of the client's set).
      const error = await failure(() => env.subscribe(`custom/${"a".repeat(2600)}`, () => {}));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.status).toBe(400);
      // The live subscription goes on.
      await admin.collection(name).create({ title: "still heard" });
      expect(await until(() => heard.includes("still heard"))).toBe(true);
      await stop();
      // On a fresh connection, as before: the same error.
      const fresh = await failure(() => env.subscribe(`custom/${"b".repeat(2600)}`, () => {}));
      expect(fresh).toBeInstanceOf(BadRequestError);
    } finally {
      await env.close();
    }
  });
});
