// A small HTTP server (hono) whose users log in and then read and write their own notes. One
// environment, one connection pool, and per request `env.as(token)`: an identity that costs
// microseconds and shares the pool, so that PocketBase's rules decide what each user sees.
//
//   POCKETBASE_URL=... POCKETBASE_EMAIL=... POCKETBASE_PASSWORD=... node examples/server.ts
//   curl -d '{"email":"a@b.c","password":"..."}' localhost:8787/login      -> { token }
//   curl -H "authorization: <token>" localhost:8787/notes                  -> the caller's notes
//   curl -H "authorization: <token>" -d '{"text":"hi"}' localhost:8787/notes
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { MFARequiredError, setup, UnauthorizedError } from "pocketmap";

const USERS = process.env.USERS_COLLECTION ?? "users";
const NOTES = process.env.NOTES_COLLECTION ?? "notes";

// The server's own identity (a superuser from the environment) is used only to set up the collection.
const env = setup({ async: true });
if (!(await env.has(NOTES))) {
  const users = await env.send<{ id: string }>(`/api/collections/${USERS}`);
  const own = "owner = @request.auth.id";
  await env.createCollection({
    name: NOTES,
    type: "base",
    listRule: own,
    viewRule: own,
    createRule: `@request.auth.collectionName = "${USERS}" && @request.body.owner = @request.auth.id`,
    fields: [
      { name: "owner", type: "relation", collectionId: users.id, maxSelect: 1, required: true },
      { name: "text", type: "text" },
    ],
  });
}

const app = new Hono();

app.post("/login", async (c) => {
  const { email, password } = await c.req.json<{ email: string; password: string }>();
  try {
    const { token, record } = await env.collection(USERS).auth(email, password);
    return c.json({ token, id: record.id });
  } catch (error) {
    if (error instanceof MFARequiredError) return c.json({ mfaId: error.mfaId }, 401);
    return c.json({ error: "wrong email or password" }, 400);
  }
});

/** The caller as an environment of its own: their token, the server's pool. */
function caller(authorization: string | undefined) {
  if (!authorization) return undefined;
  try {
    return env.as(authorization);
  } catch {
    return undefined;
  }
}

app.get("/notes", async (c) => {
  const user = caller(c.req.header("authorization"));
  if (!user) return c.json({ error: "log in first" }, 401);
  return c.json(await user.collection(NOTES).getFullList({ fields: "id,owner,text" }));
});

app.post("/notes", async (c) => {
  const token = c.req.header("authorization");
  const user = caller(token);
  if (!user || !token) return c.json({ error: "log in first" }, 401);
  const { text } = await c.req.json<{ text: string }>();
  // The owner is whoever the token says; PocketBase's create rule checks it again.
  const owner = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).id as string;
  return c.json(await user.collection(NOTES).create({ owner, text }, { fields: "id,owner,text" }), 201);
});

app.onError((error, c) => {
  if (error instanceof UnauthorizedError) return c.json({ error: "log in again" }, 401);
  return c.json({ error: "something went wrong" }, 500);
});

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 8787), hostname: "127.0.0.1" },
  (info) => {
    console.log(`listening on http://127.0.0.1:${info.port}`);
  },
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    void env.close();
  });
}
