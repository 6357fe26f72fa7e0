// PocketBase 0.22 (before superusers): DESIGN promises only that logging in as an admin falls back to
// /api/admins. This file starts a real 0.22 server (installed from the same registry package as the
// pinned one) and checks that login, then what an admin does first: health, collections, records.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, filter, NotFoundError } from "../src/index.ts";
import { installPocketBase, pocketBaseVersion } from "../src/server/binary.ts";
import { freePort } from "../src/server/embedded.ts";
import { KINDS, openEnvWith, settle } from "./kinds.ts";
import { POCKETBASE_022 } from "./versions.ts";

const run = promisify(execFile);

const email = `admin-${randomBytes(4).toString("hex")}@localhost.test`;
const password = randomBytes(18).toString("base64url");
let url: string;
let root: string;
let child: ChildProcess | undefined;
const TITLES = ["alpha", "beta", "gamma"];
const ids = new Map<string, string>();

/** Plain fetch as the admin, through 0.22's own API: the fixture does not depend on pocketmap. */
async function admin(path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  // Cached by pretest (test/install-servers.ts); installs here when run alone.
  const bin = await installPocketBase(POCKETBASE_022);
  expect(await pocketBaseVersion(bin)).toBe(POCKETBASE_022);
  root = await mkdtemp(join(tmpdir(), "pocketmap-022-"));
  const dir = join(root, "pb_data");
  // 0.22 has no `superuser upsert`: migrate, then `admin create` (which exits 0 even when it fails).
  await run(bin, ["migrate", "up", `--dir=${dir}`], { cwd: root });
  const created = await run(bin, ["admin", "create", email, password, `--dir=${dir}`], { cwd: root });
  expect(created.stdout + created.stderr).toContain("Successfully created new admin");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(bin, ["serve", `--http=127.0.0.1:${port}`, `--dir=${dir}`], { cwd: root, stdio: "ignore" });
  for (let attempt = 0; ; attempt++) {
    const ok = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (attempt > 200 || child.exitCode !== null)
      throw new Error(`PocketBase ${POCKETBASE_022} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { token } = (await admin("/api/admins/auth-with-password", { identity: email, password })) as {
    token: string;
  };
  // 0.22's collection model: `schema`, not `fields`.
  await admin(
    "/api/collections",
    {
      name: "notes",
      type: "base",
      schema: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    },
    token,
  );
  for (const [n, title] of TITLES.entries()) {
    ids.set(title, (await admin("/api/collections/notes/records", { title, n }, token)).id as string);
  }
}, 120_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  if (root) await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
});

describe.each(KINDS)(`PocketBase ${POCKETBASE_022} (%s kind)`, (kind) => {
  it("logs in as an admin through /api/admins and reads health, collections and records", async () => {
    const env = openEnvWith(kind, { url, email, password });
    try {
      const logins: { path: string; status: number }[] = [];
      if (kind === "async") {
        env.on("request", ({ data }) => {
          if (data.path.endsWith("/auth-with-password"))
            logins.push({ path: data.path, status: data.status });
        });
      }
      expect(await env.health()).toMatchObject({ code: 200 });
      expect(await env.keys()).toEqual(expect.arrayContaining(["notes", "users"]));
      expect(await env.has("notes")).toBe(true);
      expect(await env.has("missing")).toBe(false);

      const notes = env.collection("notes");
      // The fixture's records are n < 10; the write test's are n >= 10.
      const all = await notes.getFullList({ sort: "n", filter: "n < 10" });
      expect(all.map((record) => record.title)).toEqual(TITLES);
      expect((await notes.getOne(ids.get("beta")!)).title).toBe("beta");
      expect((await notes.getFirst({ filter: filter`title = ${"gamma"}` })).id).toBe(ids.get("gamma"));
      expect(await notes.count({ filter: { n: [0, 2] } })).toBe(2);
      expect(await notes.get("missing00000001")).toBeUndefined();
      expect((await notes.list({ perPage: 2, filter: "n < 10" })).totalItems).toBe(3);

      if (kind === "async") {
        // The superuser login was tried first, answered 404, and the admin login took over.
        expect(logins).toEqual([
          { path: "/api/collections/_superusers/auth-with-password", status: 404 },
          { path: "/api/admins/auth-with-password", status: 200 },
        ]);
      }
    } finally {
      await env.close();
    }
  });

  it("writes records as the admin", async () => {
    const env = openEnvWith(kind, { url, email, password });
    try {
      const notes = env.collection("notes");
      const created = await notes.create({ title: `written by ${kind}`, n: 10 });
      expect((await notes.update(created.id, { n: 11 })).n).toBe(11);
      expect(await notes.has(created.id)).toBe(true);
      expect(await notes.delete(created.id)).toBe(true);
      expect(await notes.has(created.id)).toBe(false);
      // Calls built on /api/batch (0.23+) fail on 0.22 with the server's 404, and delete nothing.
      const kept = await notes.create({ title: `kept by ${kind}`, n: 12 });
      await expect(settle(() => notes.deleteMany([kept.id]))).rejects.toBeInstanceOf(NotFoundError);
      expect(await notes.has(kept.id)).toBe(true);
      await notes.remove(kept.id);
    } finally {
      await env.close();
    }
  });

  it("rejects a wrong admin password as 0.23+ does (a 400), without echoing it", async () => {
    const env = openEnvWith(kind, { url, email, password: "wrong-password-022" });
    try {
      const error = await settle(() => env.keys()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).status).toBe(400);
      expect((error as BadRequestError).url).toContain("/api/admins/auth-with-password");
      expect((error as Error).message).not.toContain("wrong-password-022");
    } finally {
      await env.close();
    }
  });
});

describe.each(KINDS)(
  `embedded mode with POCKETBASE_BIN set to PocketBase ${POCKETBASE_022} (%s kind)`,
  (kind) => {
    it("fails at once, naming the version, instead of starting a server it cannot log in to", async () => {
      const bin = await installPocketBase(POCKETBASE_022);
      const index = new URL("../src/index.ts", import.meta.url).href;
      const script = [
        `const { setup } = await import(${JSON.stringify(index)});`,
        // The sync kind starts an embedded server at setup(), the async kind on the first request.
        "let env;",
        `try { env = setup({ async: ${kind === "async"}, quiet: true }); await env.health(); console.log("started"); }`,
        "catch (error) { console.log(error.message); }",
        "finally { await env?.close(); }",
      ].join("\n");
      const variables = { ...process.env };
      for (const key of Object.keys(variables)) if (/^POCKET(BASE|MAP)_/.test(key)) delete variables[key];
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...variables, POCKETBASE_BIN: bin },
        timeout: 60_000,
      });
      expect(stdout).toContain(`is PocketBase ${POCKETBASE_022}; embedded mode needs >= 0.23`);
    });
  },
);
