// env.as(): identities on a shared pool, on both kinds. Short-lived tokens come from auth collections
// of this file's own (a token's lifetime is a collection setting, so the shared server is safe).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, InvalidInputError, UnauthorizedError } from "../src/index.ts";
import { countingProxy } from "./count-proxy.ts";
import { server, superuserEnv, uniqueName } from "./helpers.ts";
import { KINDS, openEnvWith, settle } from "./kinds.ts";

const PASSWORD = "person-password-1";
const SHORT = 10;
let admin: AsyncEnvironment;
let people: string;
let shortPeople: string;
let notes: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function person(collection: string, name: string) {
  const email = `${name}-${uniqueName("p")}@pocketmap.test`;
  const record = await admin
    .collection(collection)
    .create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  return { email, id: record.id };
}

beforeAll(async () => {
  admin = superuserEnv();
  people = uniqueName("people");
  shortPeople = uniqueName("short_people");
  notes = uniqueName("notes");
  const self = "id = @request.auth.id";
  for (const [name, duration] of [
    [people, 3600],
    [shortPeople, SHORT],
  ] as const) {
    await admin.createCollection({
      name,
      type: "auth",
      listRule: self,
      viewRule: self,
      authToken: { duration },
      fields: [],
    });
  }
  const owner = "owner = @request.auth.id";
  await admin.createCollection({
    name: notes,
    type: "base",
    listRule: owner,
    viewRule: owner,
    createRule: "@request.body.owner = @request.auth.id",
    fields: [
      { name: "owner", type: "text" },
      { name: "text", type: "text" },
    ],
  });
});

afterAll(async () => {
  for (const name of [notes, people, shortPeople]) await admin.delete(name).catch(() => undefined);
  await admin?.close();
});

describe.each(KINDS)("env.as() (%s)", (kind) => {
  const { email, password } = server();
  let env: AsyncEnvironment;
  beforeAll(() => {
    env = openEnvWith(kind, { url: server().url, email, password });
  });
  afterAll(async () => {
    await env?.close();
  });

  it("acts as each identity on the shared pool: no new socket, the original unchanged", async () => {
    const proxy = await countingProxy(server().url);
    // One connection: every identity must use the very same socket.
    const base = openEnvWith(kind, { url: proxy.url, email, password, connections: 1 });
    try {
      const [alice, bob] = [await person(people, "alice"), await person(people, "bob")];
      for (const who of [alice, bob])
        await admin.collection(notes).create({ owner: who.id, text: `${who.email}'s` });
      const aliceLogin = await base.collection(people).auth(alice.email, PASSWORD);
      const bobLogin = await base.collection(people).auth(bob.email, PASSWORD);
      const before = proxy.connections;
      expect(before).toBe(1);

      const identities = Array.from({ length: 200 }, (_, n) => base.as(n % 2 ? bobLogin : aliceLogin.token));
      expect(proxy.connections).toBe(before);
      const asAlice = identities[0]!;
      const asBob = identities[1]!;

      const requests: string[] = [];
      const baseRequests: string[] = [];
      asAlice.on("request", ({ data }) => {
        requests.push(data.path);
      });
      base.on("request", ({ data }) => {
        baseRequests.push(data.path);
      });
      const count = asAlice.collection(notes).count();
      if (kind === "sync") expect(typeof count).toBe("number");
      expect(await count).toBe(1);
      expect((await asAlice.collection(notes).getFullList()).map((note) => note.owner)).toEqual([alice.id]);
      expect((await asBob.collection(notes).getFullList()).map((note) => note.owner)).toEqual([bob.id]);
      expect((await asBob.collection(people).getFullList()).map((record) => record.id)).toEqual([bob.id]);
      // Creating as Bob for Alice is refused by the rule: Bob is Bob.
      const forged = await settle(() => asBob.collection(notes).create({ owner: alice.id, text: "x" })).catch(
        (e: unknown) => e,
      );
      expect((forged as { status: number }).status).toBe(400);
      // The original is still the superuser.
      expect(await base.collection(notes).count({ filter: { owner: [alice.id, bob.id] } })).toBe(2);
      expect(await base.has(notes)).toBe(true);
      // Identities share the pool: the requests above reused its connections.
      expect(proxy.connections).toBe(before);
      // Each reports its own requests.
      await sleep(20);
      expect(requests).toEqual([`/api/collections/${notes}/records`, `/api/collections/${notes}/records`]);
      expect(baseRequests).not.toContain(`/api/collections/${people}/records`);
      // Closing an identity releases only it.
      await asAlice.close();
      await expect(settle(() => asAlice.collection(notes).count())).rejects.toThrow(/closed/);
      expect(await asBob.collection(notes).count()).toBe(1);
    } finally {
      await base.close();
      await proxy.close();
    }
  });

  it("refreshes an identity's token before it expires; `auth` events carry no token", async () => {
    const who = await person(shortPeople, "short");
    const login = await env.collection(shortPeople).auth(who.email, PASSWORD);
    const identity = env.as(login);
    const events: unknown[] = [];
    const requests: string[] = [];
    identity.on("auth", ({ data }) => {
      events.push(data);
    });
    identity.on("request", ({ data }) => {
      requests.push(data.path);
    });
    const exp = JSON.parse(Buffer.from(login.token.split(".")[1]!, "base64url").toString()).exp * 1000;
    // Past half its life: the next call refreshes it first.
    await sleep((SHORT / 2 + 0.5) * 1000);
    expect((await identity.collection(shortPeople).getFullList()).map((record) => record.id)).toEqual([
      who.id,
    ]);
    // The sync kind runs listeners once the thread is free after the call (docs/sync.md).
    await sleep(20);
    expect(requests[0]).toBe(`/api/collections/${shortPeople}/auth-refresh`);
    expect(events).toEqual([{ collection: shortPeople, id: who.id }]);
    expect(JSON.stringify(events)).not.toContain(login.token);
    // Past the first token's expiry it still acts as the person (as a guest it would see nothing).
    await sleep(Math.max(0, exp - Date.now() + 500));
    expect((await identity.collection(shortPeople).getFullList()).map((record) => record.id)).toEqual([
      who.id,
    ]);
  }, 30_000);

  it("a token that cannot be refreshed fails with UnauthorizedError, never as a guest or another identity", async () => {
    const logins: unknown[] = [];
    env.on("auth", ({ data }) => {
      if (data.collection === "_superusers") logins.push(data);
    });
    await env.collection(shortPeople).count(); // the superuser is logged in before counting
    await sleep(20); // the sync kind's listeners run once the thread is free
    const already = logins.length;

    // Impersonation tokens are not refreshable: used until they expire, then refused unsent.
    const who = await person(shortPeople, "imp");
    const impersonated = env.as(await env.collection(shortPeople).auth.impersonate(who.id, 2));
    const sent: string[] = [];
    impersonated.on("request", ({ data }) => {
      sent.push(data.path);
    });
    expect(await impersonated.collection(shortPeople).count()).toBe(1);
    await sleep(2_500);
    const expired = await settle(() => impersonated.collection(shortPeople).count()).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(UnauthorizedError);
    expect((expired as Error).message).toMatch(/expired/);
    expect(sent).toEqual([`/api/collections/${shortPeople}/records`]);

    // A person deleted meanwhile: the refresh is refused, and the token is never sent again.
    const gone = await person(shortPeople, "gone");
    const revoked = env.as(await env.collection(shortPeople).auth(gone.email, PASSWORD));
    const revokedSent: string[] = [];
    revoked.on("request", ({ data }) => {
      revokedSent.push(data.path);
    });
    await admin.collection(shortPeople).remove(gone.id);
    await sleep((SHORT / 2 + 0.5) * 1000);
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await settle(() => revoked.collection(shortPeople).getFullList()).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(UnauthorizedError);
      expect((refused as Error).message).not.toContain("eyJ");
    }
    await sleep(20);
    expect(revokedSent).toEqual([`/api/collections/${shortPeople}/auth-refresh`]);
    // The environment they came from never logged in again in their place.
    expect(logins.length).toBe(already);
  }, 30_000);

  it("refuses what is not an identity before any request", async () => {
    for (const bad of [undefined, "", {}, { token: 1 }, "has a space"]) {
      expect(() => env.as(bad as never), JSON.stringify(bad)).toThrow(InvalidInputError);
    }
    // A string that is no PocketBase token is refused as a server refuses one: 401, nothing sent.
    for (const garbage of ["not-a-token", "abc.def.ghi"]) {
      expect(() => env.as(garbage), garbage).toThrow(UnauthorizedError);
    }
  });
});
