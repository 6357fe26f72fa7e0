// examples/server.ts runs as a real process; several users log in and read and write their notes
// concurrently, through env.as() per request, and nobody ever sees anyone else's notes.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { server, superuserEnv, uniqueName } from "./helpers.ts";

const USERS = 5;
const ROUNDS = 120; // per user: a write and a read each round, so 1,200 requests in all
const admin = superuserEnv();
const users = uniqueName("srv_users");
const notes = uniqueName("srv_notes");
let child: ChildProcess;
let base: string;

beforeAll(async () => {
  await admin.createCollection({ name: users, type: "auth", fields: [] });
  const { url, email, password } = server();
  child = spawn(
    process.execPath,
    ["--conditions=pocketmap:source", join(import.meta.dirname, "../examples/server.ts")],
    {
      env: {
        ...process.env,
        POCKETBASE_URL: url,
        POCKETBASE_EMAIL: email,
        POCKETBASE_PASSWORD: password,
        PORT: "0",
        USERS_COLLECTION: users,
        NOTES_COLLECTION: notes,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  base = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the example server exited with ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  child?.kill("SIGTERM");
  for (const name of [notes, users]) await admin.delete(name).catch(() => undefined);
  await admin.close();
});

it("serves 1,200 interleaved requests from 5 users with 0 cross-identity leaks", async () => {
  const people = await Promise.all(
    Array.from({ length: USERS }, async (_, n) => {
      const email = `user${n}@pocketmap.test`;
      await admin
        .collection(users)
        .create({ email, password: "user-password-1", passwordConfirm: "user-password-1" });
      const login = await fetch(`${base}/login`, {
        method: "POST",
        body: JSON.stringify({ email, password: "user-password-1" }),
      });
      expect(login.status).toBe(200);
      const { token, id } = (await login.json()) as { token: string; id: string };
      return { token, id, written: new Set<string>() };
    }),
  );
  let requests = 0;
  let leaks = 0;
  let reads = 0;
  // Every user's rounds run at once: their requests interleave on the server and on its one pool.
  await Promise.all(
    people.map(async (person, n) => {
      for (let round = 0; round < ROUNDS; round++) {
        const created = await fetch(`${base}/notes`, {
          method: "POST",
          headers: { authorization: person.token },
          body: JSON.stringify({ text: `user ${n} round ${round}` }),
        });
        requests++;
        expect(created.status).toBe(201);
        const note = (await created.json()) as { id: string; owner: string };
        expect(note.owner).toBe(person.id);
        person.written.add(note.id);
        const listed = await fetch(`${base}/notes`, { headers: { authorization: person.token } });
        requests++;
        expect(listed.status).toBe(200);
        const mine = (await listed.json()) as { id: string; owner: string }[];
        reads++;
        leaks += mine.filter((entry) => entry.owner !== person.id || !person.written.has(entry.id)).length;
        // Everything this user wrote so far, and nothing else.
        expect(mine.length).toBe(person.written.size);
      }
    }),
  );
  expect(requests).toBeGreaterThanOrEqual(1000);
  expect(reads).toBe(USERS * ROUNDS);
  expect(leaks).toBe(0);
  // Without a token, nothing; with a made-up one, nothing either.
  expect((await fetch(`${base}/notes`)).status).toBe(401);
  expect((await fetch(`${base}/notes`, { headers: { authorization: "garbage" } })).status).toBe(401);
  expect(await admin.collection(notes).count()).toBe(USERS * ROUNDS);
}, 120_000);
