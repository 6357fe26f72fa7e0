// Errors that tell a newcomer what to do (issue 16): a request refused because no identity was given,
// a URL that is not a PocketBase server's root, a vague 400 about a filter, sort or fields modifier,
// and a garbage token given to env.as(). Both kinds, the real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, NotFoundError, PocketBaseError, UnauthorizedError } from "../src/index.ts";
import { freshPosts, server, superuserEnv } from "./helpers.ts";
import { failure, KINDS, openEnv, openEnvWith } from "./kinds.ts";

const admin = superuserEnv();
let posts: string;
beforeAll(async () => {
  posts = await freshPosts(admin, "guidance");
  await admin.collection(posts).set("guidancepost001", { title: "hello world" });
});
afterAll(async () => {
  await admin.delete(posts);
  await admin.close();
});

describe.each(KINDS)("errors that say what to do (%s kind)", (kind) => {
  it("a request refused to a guest says that no identity is configured, and how to give one", async () => {
    const guest = openEnvWith(kind, { url: server().url });
    try {
      const error = await failure(() => guest.admin.collections.list());
      expect([401, 403]).toContain(error.status);
      expect(error).toBeInstanceOf(PocketBaseError);
      expect(error.message).toMatch(/this environment has no identity, so the request went as a guest/);
      expect(error.message).toMatch(/POCKETBASE_EMAIL and POCKETBASE_PASSWORD/);
      expect(error.message).toMatch(/env\.as\(token\)/);
    } finally {
      await guest.close();
    }
    // With an identity, the same refusal does not say so.
    const user = openEnv(kind).as(await superuserTokenOf());
    await expect(settleIt(() => user.admin.collections.list({ perPage: 1 }))).resolves.toBeDefined();
  });

  it("a URL with a wrong path says it may not be a PocketBase server; a real 404 does not", async () => {
    const wrong = openEnvWith(kind, { ...credentials(), url: `${server().url}/pb` });
    try {
      const error = await failure(() => wrong.collection(posts).getOne("abcdefghijklmno"));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toContain(`${server().url}/pb may not be a PocketBase server, or not its root`);
      expect(error.message).toMatch(/Check the url option or POCKETBASE_URL/);
    } finally {
      await wrong.close();
    }
    const right = openEnv(kind);
    try {
      const missing = await failure(() => right.collection(posts).getOne("abcdefghijklmno"));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing.message).not.toMatch(/may not be a PocketBase server/);
    } finally {
      await right.close();
    }
  });

  it("a vague 400 names the request's filter, sort, expand and fields", async () => {
    const env = openEnv(kind);
    try {
      const bySort = await failure(() => env.collection(posts).list({ sort: "-nosuchfield" }));
      expect(bySort).toBeInstanceOf(BadRequestError);
      expect(bySort.message).toContain(`sort: "-nosuchfield"`);
      const byFilter = await failure(() => env.collection(posts).list({ filter: "nosuchfield = 1" }));
      expect(byFilter).toBeInstanceOf(BadRequestError);
      expect(byFilter.message).toContain(`filter: "nosuchfield = 1"`);
      // A fields modifier PocketBase cannot parse: a vague 400; PocketBase 0.23 answers 200 with an
      // empty body instead. Either way the error names the request's fields.
      const byFields = await failure(() => env.collection(posts).list({ fields: "title:excerpt(abc)" }));
      expect(byFields.message).toContain(`fields: "title:excerpt(abc)"`);
      if (byFields.status === 400) expect(byFields).toBeInstanceOf(BadRequestError);
      else expect(byFields.message).toMatch(/status 200 and an empty body.*cannot parse a fields modifier/);
      // A 400 with field errors already says what was wrong: left as it is.
      const byData = await failure(() => env.collection(posts).create({ email: "not an email" }));
      expect(byData.message).not.toMatch(/the request's/);
    } finally {
      await env.close();
    }
  });

  it("an expand or a fields name PocketBase does not know is no error: it leaves it out", async () => {
    // So there is no vague 400 about them to explain; what the record lacks shows it.
    const env = openEnv(kind);
    try {
      const expanded = await env.collection(posts).getOne("guidancepost001", { expand: "nosuchfield" });
      expect(expanded.title).toBe("hello world");
      expect(expanded).not.toHaveProperty("expand");
      const page = await env.collection(posts).list({ expand: "nosuch.deeper,(((" });
      expect(page.items.map((item) => item.id)).toEqual(["guidancepost001"]);
      const narrowed = await env.collection(posts).getOne("guidancepost001", { fields: "nosuchfield" });
      expect(narrowed).toEqual({});
    } finally {
      await env.close();
    }
  });

  it('env.as("garbage") is an UnauthorizedError (401) saying why, and sends nothing', async () => {
    const env = openEnv(kind);
    try {
      const error = await failure(() => env.as("garbage"));
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error.status).toBe(401);
      expect(error.message).toMatch(/not a PocketBase auth token .* nothing was sent/);
    } finally {
      await env.close();
    }
  });
});

function credentials() {
  const { email, password } = server();
  return { email, password };
}

async function superuserTokenOf(): Promise<string> {
  const { token } = await admin.collection("_superusers").auth(server().email, server().password);
  return token;
}

const settleIt = <T>(call: () => T | Promise<T>) => Promise.resolve().then(call);
