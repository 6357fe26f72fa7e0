// The superuser identity: lazy login, renewal before expiry, and an expired token is never sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedServer, startEmbedded } from "../src/env/embedded.ts";
import { setup, UnauthorizedError } from "../src/index.ts";
import { server } from "./helpers.ts";

const TOKEN_SECONDS = 10;

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

  describe(`with ${TOKEN_SECONDS}-second tokens`, () => {
    let pb: EmbeddedServer;
    let admin: ReturnType<typeof setup>;

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
  });
});
