// The environment: a Map of collections, and an event emitter.
import { afterAll, describe, expect, it } from "vitest";
import type { EnvironmentEvents } from "../src/index.ts";
import { freshPosts, server, uniqueName } from "./helpers.ts";
import { KINDS, openEnv } from "./kinds.ts";

describe.each(KINDS)("the environment (%s kind)", (kind) => {
  const env = openEnv(kind);
  afterAll(() => env.close());

  it("is a Map of collections: keys, has, delete", async () => {
    const name = await freshPosts(env, "envmap");
    expect(await env.keys()).toContain(name);
    expect(await env.keys()).toContain("authors");
    expect(await env.has(name)).toBe(true);
    expect(await env.has(uniqueName("nothing"))).toBe(false);
    const dropped: string[] = [];
    env.on("collection:deleted", ({ data }) => {
      dropped.push(data.name);
    });
    expect(await env.delete(name)).toBe(true);
    expect(await env.delete(name)).toBe(false);
    expect(await env.has(name)).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(dropped).toEqual([name]);
  });

  it("reaches collections whose names clash with its members through collection()", async () => {
    expect(typeof env.keys).toBe("function");
    expect(env.collection("keys").name).toBe("keys");
    expect((env as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await Promise.resolve(env)).toBe(env);
  });

  it("reports health", async () => {
    expect(await env.health()).toMatchObject({ code: 200 });
  });

  it("emits created, updated, deleted and request events without secrets", async () => {
    const name = await freshPosts(env, "events");
    const seen: { event: keyof EnvironmentEvents; data: unknown }[] = [];
    for (const event of ["created", "updated", "deleted", "request"] as const) {
      // emittery hands listeners { name, data }.
      env.on(event, ({ name: event, data }) => {
        seen.push({ event, data });
      });
    }
    const record = await env.collection(name).create({ title: "evented" });
    await env.collection(name).update(record.id, { title: "changed" });
    await env.collection(name).delete(record.id);
    await new Promise((resolve) => setImmediate(resolve));
    const events = seen.filter((entry) => entry.event !== "request");
    expect(events.map((entry) => entry.event)).toEqual(["created", "updated", "deleted"]);
    expect(events[0]!.data).toMatchObject({ collection: name, record: { id: record.id, title: "evented" } });
    expect(events[2]!.data).toEqual({ collection: name, id: record.id });
    const requests = seen.filter((entry) => entry.event === "request").map((entry) => entry.data);
    expect(requests).toContainEqual(
      expect.objectContaining({ method: "POST", path: `/api/collections/${name}/records`, status: 200 }),
    );
    const text = JSON.stringify(seen);
    expect(text).not.toContain(server().password);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
  });
});
