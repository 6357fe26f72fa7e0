// The superuser identity: lazy login, renewal before expiry, and an expired token is never sent.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenExpiry } from "../src/async/auth.ts";
import { BadRequestError, setup, UnauthorizedError } from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { countingProxy } from "./count-proxy.ts";
import { server, until } from "./helpers.ts";
import { failure, KINDS, openEnvWith } from "./kinds.ts";

const TOKEN_SECONDS = 10;
const run = promisify(execFile);

interface Outcome {
  error: string;
  message: string;
  requests: string[];
  logins: unknown[];
}

/**
 * Runs, in a directory whose .env holds the superuser's credentials, a script that acts with `token`
 * given as an option, on both kinds: one call of `call` (a method of the environment, or of a
 * collection as "collection.method"). Returns what each kind saw.
 */
async function withSuperuserInDotEnv(
  pb: { url: string; email: string; password: string },
  token: string,
  call: string,
): Promise<Record<"async" | "sync", Outcome>> {
  const dir = await mkdtemp(join(tmpdir(), "pocketmap-auth-"));
  try {
    await writeFile(
      join(dir, ".env"),
      `POCKETBASE_URL=${pb.url}\nPOCKETBASE_EMAIL=${pb.email}\nPOCKETBASE_PASSWORD=${pb.password}\n`,
    );
    const [target, method] = call.includes(".") ? call.split(".") : [undefined, call];
    const script = join(dir, "as-token.ts");
    await writeFile(
      script,
      `
      import { setup } from ${JSON.stringify(join(import.meta.dirname, "../src/index.ts"))};
      const out = {};
      for (const kind of ["async", "sync"]) {
        const env = setup({ async: kind === "async", token: process.env.USER_TOKEN });
        const requests = [];
        const logins = [];
        env.on("request", ({ data }) => { requests.push(data.path); });
        env.on("auth", ({ data }) => { logins.push(data); });
        const on = ${target === undefined ? "env" : `env.collection(${JSON.stringify(target)})`};
        try {
          const value = await on[${JSON.stringify(method)}]();
          out[kind] = { error: "none", message: JSON.stringify(value) };
        } catch (error) {
          out[kind] = { error: error.name, message: error.message };
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        Object.assign(out[kind], { requests, logins });
        await env.close();
      }
      console.log(JSON.stringify(out));
    `,
    );
    const variables: Record<string, string | undefined> = { ...process.env, USER_TOKEN: token };
    for (const key of Object.keys(variables)) if (/^POCKET(BASE|MAP)_/.test(key)) delete variables[key];
    const { stdout } = await run(process.execPath, [script], { cwd: dir, env: variables, timeout: 30_000 });
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("authentication", () => {
  it("logs in lazily, once, however many requests start together", async () => {
    const { url, email, password } = server();
    const env = setup({ async: true, url, email, password });
    const logins: unknown[] = [];
    const paths: string[] = [];
    env.on("auth", ({ data }) => {
      logins.push(data);
    });
    env.on("request", ({ data }) => {
      paths.push(data.path);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(paths).toEqual([]);
    await Promise.all(Array.from({ length: 10 }, () => env.collection("authors").list({ perPage: 1 })));
    expect(paths.filter((path) => path.endsWith("/auth-with-password"))).toHaveLength(1);
    expect(logins).toHaveLength(1);
    await env.close();
  });

  it.each(KINDS)("%s: the first request goes on the login's connection, not a second one", async (kind) => {
    const { url, email, password } = server();
    const proxy = await countingProxy(url);
    try {
      const env = openEnvWith(kind, { url: proxy.url, email, password });
      const paths: string[] = [];
      env.on("request", ({ data }) => {
        paths.push(data.path);
      });
      expect((await env.collection("authors").list({ perPage: 1 })).page).toBe(1);
      // The sync kind's events arrive when the main thread is free.
      await until(() => paths.length >= 2);
      expect(paths.map((path) => path.split("?")[0])).toEqual([
        "/api/collections/_superusers/auth-with-password",
        "/api/collections/authors/records",
      ]);
      // On a remote server, a second connection would be a second TCP and TLS handshake.
      expect(proxy.connections).toBe(1);
      await env.close();
    } finally {
      await proxy.close();
    }
  });

  it("rejects wrong credentials without echoing them", async () => {
    const { url, email } = server();
    const env = setup({ async: true, url, email, password: "wrong-password-123" });
    const error = await env
      .collection("authors")
      .list()
      .catch((caught: unknown) => caught);
    expect((error as Error).message).not.toContain("wrong-password-123");
    expect((error as { status: number }).status).toBe(400);
    await env.close();
  });

  it.each(KINDS)(
    "a refused login names the identity and where it came from, never the password (%s kind)",
    async (kind) => {
      const { url, email } = server();
      const fromOptions = openEnvWith(kind, { url, email, password: "wrong-password-456" });
      const error = await failure(() => fromOptions.keys());
      // A refused login is not explained by the filter or sort of the call it came before.
      const listed = await failure(() =>
        fromOptions.collection("posts").list({ sort: "title", filter: "n > 0" }),
      );
      await fromOptions.close();
      expect(listed.message).toContain(`could not log in as the superuser "${email}"`);
      expect(listed.message).not.toMatch(/the request's|filter|sort/);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.message).toContain(
        `could not log in as the superuser "${email}" (from email and password (setup() options))`,
      );
      expect(error.message).toMatch(/Failed to authenticate/);
      expect(error.message).not.toContain("wrong-password-456");

      const saved = { ...process.env };
      Object.assign(process.env, {
        POCKETBASE_URL: url,
        POCKETBASE_EMAIL: email,
        POCKETBASE_PASSWORD: "wrong-password-789",
      });
      delete process.env.POCKETBASE_TOKEN;
      try {
        const fromVariables = openEnvWith(kind, {});
        const second = await failure(() => fromVariables.keys());
        await fromVariables.close();
        expect(second.message).toContain(
          "(from POCKETBASE_EMAIL and POCKETBASE_PASSWORD (environment variables))",
        );
        expect(second.message).not.toContain("wrong-password-789");
      } finally {
        for (const key of ["POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD", "POCKETBASE_TOKEN"]) {
          if (saved[key] === undefined) delete process.env[key];
          else process.env[key] = saved[key];
        }
      }
    },
  );

  describe(`with ${TOKEN_SECONDS}-second tokens`, () => {
    let pb: EmbeddedServer;
    let admin: ReturnType<typeof setup>;
    /** A user's token that lives TOKEN_SECONDS, and a revoked one that would live two weeks. */
    let shortUserToken: string;
    let userToken: string;

    beforeAll(async () => {
      // A server of its own: short tokens must not disturb the other test files.
      pb = await startEmbedded();
      admin = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
      await admin.send("/api/collections/_superusers", {
        method: "PATCH",
        body: { authToken: { duration: TOKEN_SECONDS } },
      });
      await admin.createCollection({
        name: "members_only",
        type: "base",
        // Guests are not refused here, they just see nothing: the silent failure the renewal prevents.
        listRule: '@request.auth.id != ""',
        fields: [{ name: "title", type: "text" }],
      });
      for (let n = 0; n < 5; n++) await admin.members_only!.create({ title: `secret ${n}` });
      for (const [name, duration] of [
        ["short_members", TOKEN_SECONDS],
        ["members", 14 * 24 * 3600],
      ] as const) {
        await admin.createCollection({ name, type: "auth", authToken: { duration }, fields: [] });
        const credentials = { email: `someone@${name}.test`, password: "someone-password-1" };
        const user = await admin
          .collection(name)
          .create({ ...credentials, passwordConfirm: credentials.password });
        const { token } = await admin.send<{ token: string }>(`/api/collections/${name}/auth-with-password`, {
          method: "POST",
          body: { identity: credentials.email, password: credentials.password },
          anonymous: true,
        });
        if (name === "short_members") shortUserToken = token;
        else {
          // Revoked: the user is gone, so PocketBase answers the (unexpired) token as a guest.
          await admin.collection(name).remove(user.id);
          userToken = token;
        }
      }
    });
    afterAll(async () => {
      await admin?.close();
      await pb?.stop();
    });

    it("renews the token before it expires and never sends an expired one", async () => {
      const login = await admin.send<{ token: string }>("/api/collections/_superusers/auth-with-password", {
        method: "POST",
        body: { identity: pb.email, password: pb.password },
        anonymous: true,
      });
      const renewing = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
      const logins: unknown[] = [];
      renewing.on("auth", ({ data }) => {
        logins.push(data);
      });
      expect(await renewing.members_only!.count()).toBe(5);
      expect(logins).toHaveLength(1);

      // Past half its life but before expiry: the next request renews it first.
      await new Promise((resolve) => setTimeout(resolve, (TOKEN_SECONDS / 2 + 1) * 1000));
      expect(await renewing.members_only!.count()).toBe(5);
      expect(logins).toHaveLength(2);

      await new Promise((resolve) => setTimeout(resolve, (TOKEN_SECONDS / 2) * 1000));

      // The premise: PocketBase answers an expired token as a guest, with fewer records and no error.
      const asGuest = await fetch(`${pb.url}/api/collections/members_only/records`, {
        headers: { authorization: login.token },
      });
      expect(asGuest.status).toBe(200);
      expect(((await asGuest.json()) as { totalItems: number }).totalItems).toBe(0);

      // With credentials, pocketmap always has a live token and sees everything.
      expect(await renewing.members_only!.count()).toBe(5);

      // With only the expired token, it refuses to send it at all.
      const stale = setup({ async: true, url: pb.url, token: login.token });
      const sent: string[] = [];
      stale.on("request", ({ data }) => {
        sent.push(data.path);
      });
      const error = await stale.members_only!.count().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as Error).message).toMatch(/expired/);
      expect((error as Error).message).not.toContain(login.token);
      expect(sent).toEqual([]);
      await renewing.close();
      await stale.close();
    }, 40_000);

    it("a user's token refused by the server fails, and never falls back to the superuser in .env", async () => {
      // Listing collections needs a superuser: PocketBase answers this revoked token with a 401.
      const outcome = await withSuperuserInDotEnv(pb, userToken, "keys");
      for (const kind of ["async", "sync"] as const) {
        expect(outcome[kind], kind).toMatchObject({ error: "UnauthorizedError", logins: [] });
        expect(outcome[kind].requests, kind).toEqual(["/api/collections"]);
        expect(outcome[kind].message).not.toContain(pb.password);
      }
    }, 40_000);

    it("a user's expired token fails with UnauthorizedError, never acting as the superuser in .env", async () => {
      // Obtained in beforeAll; by now (after the test above waited) it has expired, or is about to.
      const expiresAt = tokenExpiry(shortUserToken)! * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 1000)));
      const outcome = await withSuperuserInDotEnv(pb, shortUserToken, "members_only.count");
      for (const kind of ["async", "sync"] as const) {
        expect(outcome[kind], kind).toMatchObject({ error: "UnauthorizedError", requests: [], logins: [] });
        expect(outcome[kind].message).toMatch(/expired/);
        expect(outcome[kind].message).not.toContain(shortUserToken);
      }
    }, 40_000);
  });
});
