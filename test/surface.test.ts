// One surface for both kinds: the method tables generate the sync kind, the worker runs only what they
// list, env.admin holds the services, and every other property name is a collection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../src/abstract/options.ts";
import { adminCollectionsSurface, collectionSurface, environmentSurface } from "../src/abstract/surface.ts";
import { InvalidInputError } from "../src/index.ts";
import { call, closeEnvironment, register, subscribe } from "../src/sync/worker-host.ts";
import { freshPosts, server, superuserEnv, uniqueName } from "./helpers.ts";
import { KINDS, openEnv, settle } from "./kinds.ts";

/** Collection names that read like services; DESIGN keeps them free for collections. */
const SERVICE_LIKE = ["logs", "files", "settings"];

describe("collections named like services", () => {
  const admin = superuserEnv();
  const made: string[] = [];
  beforeAll(async () => {
    for (const name of SERVICE_LIKE) {
      if (await admin.has(name)) continue;
      await admin.createCollection({ name, type: "base", fields: [{ name: "title", type: "text" }] });
      made.push(name);
    }
  });
  afterAll(async () => {
    for (const name of made) await admin.delete(name);
    await admin.close();
  });

  describe.each(KINDS)("(%s kind)", (kind) => {
    const env = openEnv(kind);
    afterAll(() => env.close());

    it.each(SERVICE_LIKE)("env.%s is the collection of that name", async (name) => {
      const collection = env[name]!;
      expect(collection.name).toBe(name);
      const record = await collection.create({ title: `in ${name}` });
      expect(await env[name]!.get(record.id)).toMatchObject({ id: record.id, title: `in ${name}` });
      expect(await collection.delete(record.id)).toBe(true);
    });
  });
});

describe.each(KINDS)("env.admin.collections (%s kind)", (kind) => {
  const env = openEnv(kind);
  afterAll(() => env.close());

  it("get() returns a collection's model by name or id, or undefined", async () => {
    const name = await freshPosts(env, "adminget");
    const model = await env.admin.collections.get(name);
    expect(model).toMatchObject({ name, type: "base" });
    expect(await env.admin.collections.get(model!.id)).toMatchObject({ id: model!.id, name });
    expect(await env.admin.collections.get(uniqueName("missing"))).toBeUndefined();
    await env.delete(name);
  });

  it("list() returns a page of models, with filter and sort", async () => {
    const name = await freshPosts(env, "adminlist");
    const page = await env.admin.collections.list({ filter: { name }, perPage: 5 });
    expect(page).toMatchObject({ page: 1, perPage: 5, totalItems: 1 });
    expect(page.items.map((item) => item.name)).toEqual([name]);
    await env.delete(name);
  });

  it("is a service under env.admin, not a collection named admin", () => {
    expect(typeof env.admin.collections.get).toBe("function");
    expect(env.collection("admin").name).toBe("admin");
  });

  it("refuses unknown options before any request", async () => {
    await expect(settle(() => env.admin.collections.list({ nope: 1 } as never))).rejects.toThrow(/nope/);
  });

  it("hides no collection behind realtime plumbing: only subscribe is a member", () => {
    expect(typeof env.subscribe).toBe("function");
    expect((env as unknown as Record<string, { name: string }>).subscribeFor!.name).toBe("subscribeFor");
    expect((env as unknown as Record<string, { name: string }>).forward!.name).toBe("forward");
  });

  it("refuses a subscribe without a callback, with an InvalidInputError", async () => {
    const posts = env.collection(uniqueName("nocallback"));
    await expect(settle(() => posts.subscribe("*", undefined as never))).rejects.toThrow(InvalidInputError);
    await expect(settle(() => env.subscribe("custom", "nope" as never))).rejects.toThrow(/takes a callback/);
  });

  it("has every method of every table, and the collection's too", () => {
    for (const method of Object.keys(environmentSurface)) {
      expect(typeof (env as unknown as Record<string, unknown>)[method], method).toBe("function");
    }
    for (const method of Object.keys(adminCollectionsSurface)) {
      expect(typeof (env.admin.collections as unknown as Record<string, unknown>)[method]).toBe("function");
    }
    const collection = env.collection(uniqueName("surface"));
    for (const method of Object.keys(collectionSurface)) {
      expect(typeof (collection as unknown as Record<string, unknown>)[method], method).toBe("function");
    }
  });
});

describe("the sync worker", () => {
  const { url, email, password } = server();
  const envId = register(resolveOptions({ url, email, password }), () => {});
  afterAll(() => closeEnvironment(envId));
  const request = (target: object, method: string, op: "call" | "iterate" = "call") =>
    settle(() => call(envId, { op, envId, target, method, args: [], events: false }));

  it("runs what the method tables list", async () => {
    expect(await request({}, "health")).toMatchObject({ code: 200 });
    expect(await request({ service: "admin.collections" }, "list")).toMatchObject({ page: 1 });
  });

  it("refuses any method a target's table does not list, or lists as crossing another way", async () => {
    await expect(request({}, "close")).rejects.toThrow(/no method close/);
    await expect(request({}, "on")).rejects.toThrow(/no method on/);
    await expect(request({ collection: "authors" }, "constructor")).rejects.toThrow(/no method/);
    await expect(request({ collection: "authors" }, "forEach")).rejects.toThrow(/no method forEach/);
    await expect(request({ collection: "authors" }, "list", "iterate")).rejects.toThrow(/no method list/);
    await expect(request({ collection: "authors" }, "keys")).rejects.toThrow(/no method keys/);
    await expect(request({ service: "admin.nothing" }, "list")).rejects.toThrow(/no method/);
    await expect(request({ service: "toString" }, "call")).rejects.toThrow(/no method/);
    // The realtime crossings take callbacks: never as a plain call, nor as an iterator.
    await expect(request({}, "subscribe")).rejects.toThrow(/no method subscribe/);
    await expect(request({ collection: "authors" }, "subscribe")).rejects.toThrow(/no method subscribe/);
    await expect(request({ collection: "authors" }, "changes", "iterate")).rejects.toThrow(
      /no method changes/,
    );
  });

  it("subscribes only what the tables list as subscribe or changes", async () => {
    const listen = (target: object, method: string) =>
      settle(() =>
        subscribe(envId, {
          op: "subscribe",
          envId,
          target,
          method,
          args: [],
          subscription: -1,
          events: false,
        }),
      );
    await expect(listen({ collection: "authors" }, "list")).rejects.toThrow(/no method list/);
    await expect(listen({}, "health")).rejects.toThrow(/no method health/);
    await expect(listen({}, "close")).rejects.toThrow(/no method close/);
    await expect(listen({ collection: "authors" }, "forEach")).rejects.toThrow(/no method forEach/);
    await expect(listen({ service: "admin.collections" }, "subscribe")).rejects.toThrow(/no method/);
  });
});
