// Issue 14, item 5: every error pocketmap throws is a PocketmapError; a closed environment throws a
// ClosedError and sends nothing; errors keep their class across the sync worker.
import { describe, expect, it } from "vitest";
import { errorFromJSON, errorToJSON } from "../src/abstract/errors/serialize.ts";
import * as pocketmap from "../src/index.ts";
import { ClosedError, InvalidInputError, PocketBaseError, PocketmapError } from "../src/index.ts";
import { pocketBaseVersion } from "../src/server/binary.ts";
import { countingProxy } from "./count-proxy.ts";
import { freshPosts, server, tripwire } from "./helpers.ts";
import { failure, KINDS, openEnvWith } from "./kinds.ts";

type AnyErrorClass = new (...args: never[]) => Error;

/** Every error class the package exports, by its export name: a class added later is covered too. */
const exportedErrorClasses = (Object.entries(pocketmap) as [string, unknown][]).filter(
  (entry): entry is [string, AnyErrorClass] =>
    typeof entry[1] === "function" && entry[1].prototype instanceof Error,
);

/** An instance of an exported error class, built as pocketmap builds it. */
function sample(ErrorClass: AnyErrorClass): Error {
  const Class = ErrorClass as unknown as new (arg: unknown) => Error;
  return ErrorClass === PocketBaseError || ErrorClass.prototype instanceof PocketBaseError
    ? new Class({
        status: 418,
        message: "a sample",
        data: { title: { code: "c", message: "m" } },
        index: 2,
        written: [0, 1],
      })
    : new Class("a sample");
}

describe("the error classes", () => {
  it("are all exported, PocketmapError and ClosedError included", () => {
    const names = exportedErrorClasses.map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        "PocketmapError",
        "PocketBaseError",
        "ClosedError",
        "InvalidInputError",
        "SyncWorkerError",
        "BatchError",
        "MFARequiredError",
      ]),
    );
  });

  it("all extend PocketmapError, and their errors are named as they are exported", () => {
    for (const [name, ErrorClass] of exportedErrorClasses) {
      expect(ErrorClass === PocketmapError || ErrorClass.prototype instanceof PocketmapError, name).toBe(
        true,
      );
      const error = sample(ErrorClass);
      expect(error, name).toBeInstanceOf(PocketmapError);
      expect(error.name, name).toBe(name);
    }
  });

  it("are rebuilt as their class from their JSON form (as they cross the sync worker)", () => {
    for (const [name, ErrorClass] of exportedErrorClasses) {
      const error = sample(ErrorClass);
      const rebuilt = errorFromJSON(JSON.parse(JSON.stringify(errorToJSON(error))));
      expect(rebuilt.constructor, name).toBe(ErrorClass);
      expect(rebuilt, name).toBeInstanceOf(PocketmapError);
      expect(rebuilt.message, name).toBe("a sample");
      if (error instanceof PocketBaseError)
        expect((rebuilt as PocketBaseError).toJSON()).toEqual(error.toJSON());
    }
  });

  it("a PocketBase binary that cannot run is a PocketmapError that names it", async () => {
    const error = await pocketBaseVersion("/nonexistent/pocketbase").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PocketmapError);
    expect((error as Error).message).toMatch(
      /could not run "\/nonexistent\/pocketbase --version": file not found/,
    );
  });

  it("InvalidInputError is no longer a TypeError", () => {
    expect(new InvalidInputError("x")).not.toBeInstanceOf(TypeError);
  });

  it("ClosedError says how to go on", () => {
    expect(new ClosedError().message).toBe(
      "pocketmap: this environment is closed; create a new one with setup() (or env.as()) to go on",
    );
  });
});

/** A well-formed auth token (never sent: as() on a closed environment must refuse it first). */
const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const token = `${part({ alg: "HS256", typ: "JWT" })}.${part({ exp: 4102444800, type: "auth", collectionId: "_pb_users_auth_" })}.signature`;

describe.each(KINDS)("a closed environment (%s kind)", (kind) => {
  /** Calls of every sort: records, the Map API, send, admin services, auth, realtime, identities. */
  const calls = (env: pocketmap.AsyncEnvironment, name: string): [string, () => unknown][] => [
    ["health()", () => env.health()],
    ["getOne()", () => env.collection(name).getOne("abcdefghijklmno")],
    ["get()", () => env.collection(name).get("abcdefghijklmno")],
    ["create()", () => env.collection(name).create({ title: "after close" })],
    ["count()", () => env.collection(name).count()],
    ["getFullList()", () => env.collection(name).getFullList()],
    ["send()", () => env.send("/api/health")],
    ["keys()", () => env.keys()],
    ["admin.collections.list()", () => env.admin.collections.list()],
    ["subscribe()", () => env.collection(name).subscribe("*", () => {})],
    ["as()", () => env.as(token)],
  ];

  it("throws a ClosedError on every call and sends nothing", async () => {
    const { url, email, password } = server();
    const proxy = await countingProxy(url);
    try {
      // Three counts of what is sent: the beforeSend hook (once per attempt), `request` events, and TCP
      // connections through the proxy (a closed environment's pool is gone: a send would need a new one).
      let sent = 0;
      let requests = 0;
      const beforeSend = () => {
        sent++;
      };
      const env = openEnvWith(kind, { url: proxy.url, email, password, timeout: 2000, beforeSend });
      env.on("request", () => {
        requests++;
      });
      const name = await freshPosts(env, "closed");
      // The sync kind delivers events once this thread is free.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sent).toBeGreaterThan(0);
      expect(requests).toBeGreaterThan(0);
      expect(proxy.connections).toBeGreaterThan(0);
      await env.close();
      const before = { sent, requests, connections: proxy.connections };
      for (const [label, call] of calls(env, name)) {
        const error = await failure(call);
        expect(error, label).toBeInstanceOf(ClosedError);
        expect(error, label).toBeInstanceOf(PocketmapError);
        expect(error.message, label).toMatch(/^pocketmap: this environment is closed; create a new one/);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect({ sent, requests, connections: proxy.connections }).toEqual(before);
    } finally {
      await proxy.close();
    }
  });

  it("closes the identities made from it with as()", async () => {
    const { url, email, password } = server();
    const proxy = await countingProxy(url);
    try {
      const env = openEnvWith(kind, { url: proxy.url, email, password, timeout: 2000 });
      const name = await freshPosts(env, "closedas");
      const identity = env.as(token);
      await env.close();
      const connections = proxy.connections;
      for (const [label, call] of calls(identity, name)) {
        expect(await failure(call), label).toBeInstanceOf(ClosedError);
      }
      expect(proxy.connections).toBe(connections);
    } finally {
      await proxy.close();
    }
  });

  it("closed before its first call, never connects", async () => {
    const wire = await tripwire();
    try {
      const env = openEnvWith(kind, { url: wire.url, timeout: 1000 });
      await env.close();
      for (const [label, call] of calls(env, "posts")) {
        expect(await failure(call), label).toBeInstanceOf(ClosedError);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(wire.connections).toBe(0);
    } finally {
      await wire.close();
    }
  });
});

describe("errors across the sync worker", () => {
  it("keep their class: a bad id is an InvalidInputError and a PocketmapError", async () => {
    const { url, email, password } = server();
    const env = openEnvWith("sync", { url, email, password });
    try {
      const error = await failure(() => env.collection("posts").getOne("no/such id"));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toBeInstanceOf(PocketmapError);
      expect(error).not.toBeInstanceOf(PocketBaseError);
      expect(error.name).toBe("InvalidInputError");
      expect(error.message).toMatch(/invalid record id/);
    } finally {
      await env.close();
    }
  });

  it("keep their class: a missing record is a NotFoundError with its status", async () => {
    const { url, email, password } = server();
    const env = openEnvWith("sync", { url, email, password });
    try {
      const name = await freshPosts(env, "crossing");
      const error = await failure(() => env.collection(name).getOne("abcdefghijklmno"));
      expect(error).toBeInstanceOf(pocketmap.NotFoundError);
      expect(error).toBeInstanceOf(PocketmapError);
      expect(error.status).toBe(404);
    } finally {
      await env.close();
    }
  });
});
