// Batch jobs on a server of this file's own, with batch disabled (PocketBase's default; pocketmap's
// temporary servers turn it on, so this file turns it off again first): the
// fallback to bounded concurrent single requests on 10,000 records, atomic refusal, the notice, a
// failure in the fallback, and a chunk size learned from the server's answer by an identity that
// may not read the settings.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AsyncEnvironment,
  type BaseRecord,
  BatchError,
  type BatchProgress,
  ForbiddenError,
  InvalidInputError,
  setup,
} from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { cli } from "./cli-run.ts";
import { allN, range, server } from "./helpers.ts";
import { failure, KINDS, openEnvWith } from "./kinds.ts";
import { OLDEST_POCKETBASE } from "./versions.ts";

// 10,000 records on the newest server; the oldest (0.23, whose deletes are ~8x slower) runs the same
// checks on 2,000, which keeps CI's two server projects within its time.
const MANY = server().version === OLDEST_POCKETBASE ? 2_000 : 10_000;
// 10,000 writes take seconds on the newest server and up to ~30 s (deletes) on 0.23 under load.
const LONG = 240_000;
const run = promisify(execFile);
let pb: EmbeddedServer;
let admin: AsyncEnvironment;

const allAdminN = (name: string) => allN(admin, name);

async function collection(name: string): Promise<string> {
  await admin.createCollection({
    name,
    type: "base",
    createRule: "",
    updateRule: "",
    deleteRule: "",
    listRule: "",
    viewRule: "",
    fields: [
      { name: "title", type: "text" },
      { name: "n", type: "number" },
      { name: "email", type: "email" },
    ],
  });
  return name;
}

beforeAll(async () => {
  pb = await startEmbedded();
  admin = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
  await admin.send("/api/settings", { method: "PATCH", body: { batch: { enabled: false } } });
  const settings = await admin.send<{ batch: { enabled: boolean } }>("/api/settings");
  expect(settings.batch.enabled).toBe(false);
});
afterAll(async () => {
  await admin?.close();
  await pb?.stop();
});

describe.each(KINDS)(`${MANY} records with batch disabled (%s kind)`, (kind) => {
  let env: AsyncEnvironment;
  let name: string;
  let ids: string[];
  beforeAll(async () => {
    env = openEnvWith(kind, { url: pb.url, email: pb.email, password: pb.password });
    name = await collection(`off_${kind}`);
  });
  afterAll(() => env.close());

  it(
    "createMany: every record once, in input order, with progress",
    async () => {
      const progress: BatchProgress[] = [];
      const docs = range(0, MANY).map((n) => ({ title: `t${n}`, n }));
      const created = await env.collection(name).createMany(docs, { onProgress: (p) => progress.push(p) });
      expect(created.map((record) => record.n)).toEqual(range(0, MANY));
      ids = created.map((record) => record.id);
      expect(new Set(ids).size).toBe(MANY);
      expect(await allAdminN(name)).toEqual(range(0, MANY));
      expect(progress.at(-1)).toEqual({ done: MANY, total: MANY });
      expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    },
    LONG,
  );

  it(
    "updateMany: every record updated once, in input order",
    async () => {
      const updated = await env.collection(name).updateMany(ids.map((id, i) => ({ id, n: MANY + i })));
      expect(updated.map((record) => record.id)).toEqual(ids);
      expect(await allAdminN(name)).toEqual(range(MANY, 2 * MANY));
    },
    LONG,
  );

  it(
    "upsertMany: update-else-create per record (PUT upsert is batch-only), in input order",
    async () => {
      const fresh = range(0, MANY / 2).map(
        (i) => `off${kind}${String(i).padStart(15 - 3 - kind.length, "0")}`,
      );
      const docs = range(0, MANY).map((i) =>
        i % 2 === 0 ? { id: ids[i]!, n: 2 * MANY + i } : { id: fresh[(i - 1) / 2]!, n: 3 * MANY + i },
      );
      const upserted = await env.collection(name).upsertMany(docs);
      expect(upserted.map((record) => record.id)).toEqual(docs.map((doc) => doc.id));
      expect(upserted.map((record) => record.n)).toEqual(docs.map((doc) => doc.n));
      const expected = [
        ...docs.map((doc) => doc.n),
        ...ids.filter((_, i) => i % 2 === 1).map((_, k) => MANY + 2 * k + 1),
      ].sort((a, b) => a - b);
      expect(await allAdminN(name)).toEqual(expected);
      ids.push(...fresh);
    },
    LONG,
  );

  it(
    "deleteMany: true per deleted id, false per missing one, in input order",
    async () => {
      const deleted = await env.collection(name).deleteMany(["gone00000000001", ...ids]);
      expect(deleted).toEqual([false, ...ids.map(() => true)]);
      expect(await admin.collection(name).count()).toBe(0);
    },
    LONG,
  );
});

describe.each(KINDS)("batch disabled (%s kind)", (kind) => {
  let env: AsyncEnvironment;
  let name: string;
  beforeAll(async () => {
    env = openEnvWith(kind, { url: pb.url, email: pb.email, password: pb.password });
    name = await collection(`offjobs_${kind}`);
  });
  afterAll(() => env.close());

  it("atomic is refused before anything is written, saying how to turn batch on", async () => {
    const error = await failure(() => env.collection(name).createMany([{ n: 1 }], { atomic: true }));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as Error).message).toMatch(/batch requests are disabled on this server/);
    expect((error as Error).message).toMatch(/batch: \{ enabled: true \}/);
    expect(await admin.collection(name).count()).toBe(0);
  });

  it("refuses what PocketBase's batch refuses, before sending anything (settings untouched)", async () => {
    const before = await admin.send<{ meta: { appName: string } }>("/api/settings");
    for (const request of [
      { method: "PATCH", url: "/api/settings", body: { meta: { appName: "changed by batch" } } },
      { method: "GET", url: `/api/collections/${name}/records` },
      { method: "PUT", url: `/api/collections/${name}/records/abcdefghijklmno`, body: { n: 1 } },
      { method: "POST", url: `/api/collections/${name}/records/abcdefghijklmno`, body: { n: 1 } },
    ]) {
      const requests = [{ method: "POST", url: `/api/collections/${name}/records`, body: { n: 1 } }, request];
      const error = await failure(() => env.batch(requests as never));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(
        /requests\[1\](\.method must be| .* is not a record create, upsert, update or delete)/,
      );
    }
    expect((await admin.send<{ meta: { appName: string } }>("/api/settings")).meta.appName).toBe(
      before.meta.appName,
    );
    expect(await admin.collection(name).count()).toBe(0);
  });

  it("upsertMany with a repeated id keeps the last input, as batch does", async () => {
    const target = await collection(`offupsert_${kind}`);
    const ids = range(0, 40).map((n) => `upsert${String(n).padStart(9, "0")}`);
    // Each id three times in a row, so that the fallback's concurrent requests would race.
    const docs = ids.flatMap((id, n) => [0, 1, 2].map((round) => ({ id, n: n * 10 + round })));
    await env.collection(target).upsertMany(docs);
    const stored = await admin.collection(target).getFullList({ fields: "id,n" });
    expect(stored).toHaveLength(40);
    for (const record of stored) expect(Number(record.n) % 10).toBe(2);
  });

  it("a failure in the fallback says which inputs were written", async () => {
    // Input 60 is refused; the fallback stops taking inputs, the ones in flight finish.
    const docs = range(0, 100).map((n) => (n === 60 ? { n, email: "not an email" } : { n }));
    const error = (await failure(() => env.collection(name).createMany(docs))) as BatchError;
    expect(error).toBeInstanceOf(BatchError);
    expect(error.index).toBe(60);
    expect(error.data).toHaveProperty("email.code", "validation_is_email");
    expect(error.message).toMatch(/input 60 .* failed: .*; \d+ of 100 inputs were written \(inputs 0-59/);
    expect(error.message).toMatch(/~5x faster/);
    // Exactly what the error says was written is on the server: every input before 60, none twice.
    expect(error.written.slice(0, 60)).toEqual(range(0, 60));
    expect(error.written).not.toContain(60);
    expect(error.written.map((index) => (error.results[index]!.body as BaseRecord).n)).toEqual(error.written);
    expect(await allAdminN(name)).toEqual(error.written);
  });
});

describe.each(KINDS)("batch turned back on (%s kind)", (kind) => {
  it("is used by a later job once POCKETMAP_BATCH_RECHECK has passed, not before", async () => {
    const name = await collection(`offagain_${kind}`);
    const seen: string[] = [];
    const options = { url: pb.url, email: pb.email, password: pb.password };
    const previous = process.env.POCKETMAP_BATCH_RECHECK;
    process.env.POCKETMAP_BATCH_RECHECK = "300";
    const env = openEnvWith(kind, {
      ...options,
      beforeSend: (request) => void seen.push(new URL(request.url).pathname),
    });
    if (previous === undefined) delete process.env.POCKETMAP_BATCH_RECHECK;
    else process.env.POCKETMAP_BATCH_RECHECK = previous;
    try {
      await env.collection(name).createMany([{ n: 1 }, { n: 2 }]);
      expect(seen).not.toContain("/api/batch");
      await admin.send("/api/settings", { method: "PATCH", body: { batch: { enabled: true } } });
      // Within the interval, the client still knows batch as off.
      seen.length = 0;
      await env.collection(name).createMany([{ n: 3 }, { n: 4 }]);
      expect(seen).not.toContain("/api/batch");
      await new Promise((resolve) => setTimeout(resolve, 400));
      seen.length = 0;
      await env.collection(name).createMany([{ n: 5 }, { n: 6 }]);
      expect(seen).toContain("/api/batch");
      expect(await allAdminN(name)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await admin.send("/api/settings", { method: "PATCH", body: { batch: { enabled: false } } });
      await env.close();
    }
  });
});

it("the fallback tells a superuser once, on stderr, that batch would be ~5x faster; not for one request", async () => {
  const name = await collection("offnotice");
  const dir = await mkdtemp(join(tmpdir(), "pocketmap-batch-"));
  try {
    const script = join(dir, "notice.ts");
    await writeFile(
      script,
      `
      import { setup } from ${JSON.stringify(join(import.meta.dirname, "../src/index.ts"))};
      const [url, email, password] = process.argv.slice(2);
      for (const kind of ["async", "sync"]) {
        const env = setup({ async: kind === "async", url, email, password });
        // A one-request job sends one request either way: no notice, and the next job still gets it.
        await env.collection(${JSON.stringify(name)}).createMany([{ n: 3 }]);
        await env.collection(${JSON.stringify(name)}).createMany([{ n: 1 }, { n: 2 }]);
        await env.close();
      }
      `,
    );
    const variables: Record<string, string | undefined> = { ...process.env };
    for (const key of Object.keys(variables)) if (/^POCKET(BASE|MAP)_/.test(key)) delete variables[key];
    const { stderr } = await run(process.execPath, [script, pb.url, pb.email, pb.password], {
      cwd: dir,
      env: variables,
      timeout: 30_000,
    });
    const notices = stderr.split("\n").filter((line) => line.includes("~5x faster"));
    // Once per environment (one of each kind), not once per job.
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/batch requests are disabled on this server; sending 2 requests one by one/);
    expect(notices[0]).toMatch(/batch: \{ enabled: true \}/);
    expect(stderr).not.toContain(pb.password);
    expect(await allAdminN(name)).toEqual([1, 1, 2, 2, 3, 3]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("pocketmap set and rm of one record print no batch notice, and rm of a missing collection names it", async () => {
  const name = await collection("clioff");
  // Not quiet (the suite sets POCKETMAP_QUIET): the notice would show.
  const variables = {
    POCKETBASE_URL: pb.url,
    POCKETBASE_EMAIL: pb.email,
    POCKETBASE_PASSWORD: pb.password,
    POCKETMAP_QUIET: "",
  };
  const id = "clioff000000001";
  const set = await cli(["set", name, id, '{"n":1}'], { variables });
  expect(set.code).toBe(0);
  expect(set.stderr).toBe("");
  const removed = await cli(["rm", name, id], { variables });
  expect(removed).toEqual({ code: 0, stdout: `deleted ${id}\n`, stderr: "" });
  const missing = await cli(["rm", "clioffx", "abc"], { variables });
  expect(missing).toEqual({
    code: 1,
    stdout: "",
    stderr: `pocketmap: no collection "clioffx"; did you mean ${name}? (pocketmap ls lists them)\n`,
  });
});

describe.each(KINDS)("an identity that may not read settings (%s kind)", (kind) => {
  let env: AsyncEnvironment;
  let name: string;
  beforeAll(async () => {
    await admin.send("/api/settings", {
      method: "PATCH",
      body: { batch: { enabled: true, maxRequests: 7 } },
    });
    name = await collection(`learn_${kind}`);
    // A user of an auth collection: its token cannot read /api/settings.
    const users = `users_${kind}`;
    await admin.createCollection({ name: users, type: "auth", fields: [] });
    const credentials = { email: `someone@${kind}.test`, password: "someone-password-1" };
    await admin.collection(users).create({ ...credentials, passwordConfirm: credentials.password });
    const { token } = await admin.send<{ token: string }>(`/api/collections/${users}/auth-with-password`, {
      method: "POST",
      body: { identity: credentials.email, password: credentials.password },
      anonymous: true,
    });
    env = openEnvWith(kind, { url: pb.url, token });
  });
  afterAll(async () => {
    await env.close();
    await admin.send("/api/settings", { method: "PATCH", body: { batch: { enabled: false } } });
  });

  it("learns batch.maxRequests from the server's answer and chunks to it", async () => {
    const batches: number[] = [];
    env.on("request", ({ data: { path, status } }) => {
      if (path === "/api/batch") batches.push(status);
    });
    const created = await env.collection(name).createMany(range(0, 30).map((n) => ({ n })));
    expect(created.map((record) => record.n)).toEqual(range(0, 30));
    // The first chunk of 50 (the default) is refused as too large, then 30 = 7 + 7 + 7 + 7 + 2.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches).toEqual([400, 200, 200, 200, 200, 200]);
    expect(await allAdminN(name)).toEqual(range(0, 30));
    // Learned once: the next job chunks to 7 from the start.
    batches.length = 0;
    await env.collection(name).deleteMany(created.map((record) => record.id));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches).toEqual([200, 200, 200, 200, 200]);
  });
});
