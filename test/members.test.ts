// The environment's members (DESIGN, "Map contract"): each is that member, never a collection, and
// Object.keys(env) shows no internal name.
import { afterAll, describe, expect, it } from "vitest";
import { UnauthorizedError } from "../src/index.ts";
import { server } from "./helpers.ts";
import { failure, KINDS, openEnv, openEnvWith } from "./kinds.ts";

/** DESIGN's list of the environment's members, word for word. */
const MEMBERS = [
  "collection",
  "createCollection",
  "keys",
  "has",
  "delete",
  "as",
  "batch",
  "send",
  "health",
  "url",
  "subscribe",
  "fileURL",
  "fileToken",
  "download",
  "admin",
  "replicate",
  "sync",
  "on",
  "once",
  "off",
  "events",
  "close",
] as const;

describe.each(KINDS)("the environment's members (%s kind)", (kind) => {
  const env = openEnv(kind);
  afterAll(() => env.close());
  const members = env as unknown as Record<string, unknown>;

  it("Object.keys shows no internal name, nor does an identity's", () => {
    expect(Object.keys(env)).toEqual([]);
    const claims = Buffer.from(JSON.stringify({ exp: 4_000_000_000, type: "auth" })).toString("base64url");
    expect(Object.keys(env.as(`eyJhbGciOiJIUzI1NiJ9.${claims}.signature`))).toEqual([]);
  });

  it.each(MEMBERS)("env.%s is that member, not a collection", (name) => {
    const member = members[name];
    if (name === "admin") expect(Object.keys(member as object).sort()).toContain("collections");
    else expect(typeof member, name).toBe("function");
    // A collection has a name and getOne; no member has both.
    expect((member as { getOne?: unknown }).getOne).toBeUndefined();
  });

  it("fileToken() returns a file token for this identity", async () => {
    const token = await env.fileToken();
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { type: string };
    expect(payload.type).toBe("file");
  });

  it("fileToken() as a guest is refused by the server, as an UnauthorizedError", async () => {
    const guest = openEnvWith(kind, { url: server().url });
    try {
      expect(await failure(() => guest.fileToken())).toBeInstanceOf(UnauthorizedError);
    } finally {
      await guest.close();
    }
  });
});
