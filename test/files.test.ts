// Files against the real server, in both kinds: fileURL built locally, downloads to bytes and to a
// path through the request pipeline, protected files with the automatic file token, fileFrom uploads,
// and the sync kind's refusal of a file-backed Blob.
import { createHash } from "node:crypto";
import { openAsBlob } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AsyncEnvironment,
  type BaseRecord,
  fileFrom,
  type HookRequest,
  type HookResponse,
  InvalidInputError,
  NotFoundError,
} from "../src/index.ts";
import { server, superuserEnv, tripwire, uniqueName, visible } from "./helpers.ts";
import { failure, KINDS, openEnv, openEnvWith } from "./kinds.ts";

const bytes = new Uint8Array(3000).map((_, index) => (index * 7) % 256);
const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

let publicName: string;
let protectedName: string;
let dir: string;
let publicRecord: BaseRecord;
let protectedRecord: BaseRecord;

beforeAll(async () => {
  publicName = uniqueName("files");
  protectedName = uniqueName("secret_files");
  dir = await mkdtemp(join(tmpdir(), "pocketmap-files-"));
  const admin = superuserEnv();
  for (const [name, isProtected] of [
    [publicName, false],
    [protectedName, true],
  ] as const) {
    await admin.createCollection({
      name,
      type: "base",
      fields: [
        { name: "title", type: "text" },
        { name: "doc", type: "file", maxSelect: 5, maxSize: 10_000_000, protected: isProtected },
      ],
    });
    await visible(admin, name);
  }
  publicRecord = await admin.collection(publicName).create({ doc: new File([bytes], "data.bin") });
  protectedRecord = await admin.collection(protectedName).create({ doc: new File([bytes], "secret.bin") });
  await admin.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(KINDS)("files (%s kind)", (kind) => {
  let env: AsyncEnvironment;
  beforeAll(() => {
    env = openEnv(kind);
  });
  afterAll(() => env.close());

  it("fileURL() builds the URL locally, with thumb, download and token", async () => {
    const filename = publicRecord.doc as string[];
    const base = `${server().url}/api/files/${publicRecord.collectionId}/${publicRecord.id}/${filename[0]}`;
    expect(await env.fileURL(publicRecord, filename[0]!)).toBe(base);
    expect(
      await env.fileURL(publicRecord, filename[0]!, { thumb: "100x100", download: true, token: "t.o.k" }),
    ).toBe(`${base}?thumb=100x100&download=1&token=t.o.k`);
    // A record with only its collection's name will do; names are encoded.
    expect(await env.fileURL({ id: "abc", collectionName: "posts" }, "a b?.txt")).toBe(
      `${server().url}/api/files/posts/abc/a%20b%3F.txt`,
    );
    const response = await request(base);
    expect(response.statusCode).toBe(200);
    expect(new Uint8Array(await response.body.arrayBuffer())).toEqual(bytes);
  });

  it("download() returns the bytes, and with { to } streams them to a file", async () => {
    const filename = (publicRecord.doc as string[])[0]!;
    const got = await env.download(publicRecord, filename);
    expect(got).toBeInstanceOf(Uint8Array);
    expect(got).toEqual(bytes);
    const to = join(dir, `${kind}-public.bin`);
    const saved = await env.download(publicRecord, filename, { to });
    expect(saved).toEqual({ path: to, size: bytes.byteLength });
    expect(sha(await readFile(to))).toBe(sha(bytes));
  });

  it("send() on a file's path returns its bytes (not JSON), and JSON answers as before", async () => {
    const filename = (publicRecord.doc as string[])[0]!;
    const path = new URL(await env.fileURL(publicRecord, filename)).pathname;
    const got = await env.send<Uint8Array>(path);
    expect(got).toBeInstanceOf(Uint8Array);
    expect(got).toEqual(bytes);
    expect(await env.send<{ code: number }>("/api/health")).toMatchObject({ code: 200 });
  });

  it("a protected file downloads with a file token fetched by itself; its bare URL is a 404", async () => {
    const filename = (protectedRecord.doc as string[])[0]!;
    const bare = await env.fileURL(protectedRecord, filename);
    expect((await request(bare)).statusCode).toBe(404);
    expect(await env.download(protectedRecord, filename)).toEqual(bytes);
    const to = join(dir, `${kind}-secret.bin`);
    expect(await env.download(protectedRecord, filename, { to })).toEqual({
      path: to,
      size: bytes.byteLength,
    });
    expect(sha(await readFile(to))).toBe(sha(bytes));
    const token = await env.fileToken();
    expect((await request(await env.fileURL(protectedRecord, filename, { token }))).statusCode).toBe(200);
  });

  it("a guest's download of a protected file is a NotFoundError, and the token stays out of it", async () => {
    const guest = openEnvWith(kind, { url: server().url });
    try {
      const filename = (protectedRecord.doc as string[])[0]!;
      const error = await failure(() => guest.download(protectedRecord, filename));
      expect(error).toBeInstanceOf(NotFoundError);
    } finally {
      await guest.close();
    }
  });

  it("a missing file is a NotFoundError, and a failed download leaves no file behind", async () => {
    const to = join(dir, `${kind}-missing.bin`);
    const error = await failure(() => env.download(publicRecord, "nope.bin", { to }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).not.toMatch(/token=(?!\[redacted\])/);
    await expect(stat(to)).rejects.toThrow();
  });

  it("fileFrom(path) uploads a file from disk, alone and among other files", async () => {
    const path = join(dir, `${kind}-upload.bin`);
    await writeFile(path, bytes);
    const record = await env.collection(publicName).create({
      title: "from disk",
      doc: [fileFrom(path, { name: "renamed.bin" }), new Blob([bytes.slice(0, 5)])],
    });
    const [first, second] = record.doc as string[];
    expect(first).toMatch(/^renamed_\w+\.bin$/);
    expect(await env.download(record, first!)).toEqual(bytes);
    expect(await env.download(record, second!)).toEqual(bytes.slice(0, 5));
    const missing = await failure(() =>
      env.collection(publicName).create({ doc: fileFrom(join(dir, "no-such")) }),
    );
    expect(missing).toBeInstanceOf(InvalidInputError);
    const folder = await failure(() => env.collection(publicName).create({ doc: fileFrom(dir) }));
    expect(folder).toBeInstanceOf(InvalidInputError);
    expect(folder.message).toContain("not a file");
  });

  it("fileFrom(path) in createMany (one batch, multipart) arrives whole", async () => {
    const path = join(dir, `${kind}-batch.bin`);
    await writeFile(path, bytes);
    const [one, two] = await env.collection(publicName).createMany([
      { title: "b1", doc: fileFrom(path) },
      { title: "b2", doc: [new File([bytes], "mem.bin")] },
    ]);
    expect(await env.download(one!, (one!.doc as string[])[0]!)).toEqual(bytes);
    expect(await env.download(two!, (two!.doc as string[])[0]!)).toEqual(bytes);
  });

  it("a Blob from fs.openAsBlob streams in the async kind; the sync kind says to use fileFrom", async () => {
    const path = join(dir, `${kind}-blob.bin`);
    await writeFile(path, bytes);
    const blob = await openAsBlob(path);
    if (kind === "async") {
      const record = await env.collection(publicName).create({ doc: blob });
      expect(await env.download(record, (record.doc as string[])[0]!)).toEqual(bytes);
      return;
    }
    const error = await failure(() => env.collection(publicName).create({ doc: blob }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain("fileFrom(path)");
  });

  it("hooks see a download: the request, and an answer whose data is undefined", async () => {
    const seen: string[] = [];
    const answers: Pick<HookResponse, "status" | "data">[] = [];
    const { url, email, password } = server();
    const hooked = openEnvWith(kind, {
      url,
      email,
      password,
      beforeSend: (request: HookRequest) =>
        void seen.push(`${request.method} ${new URL(request.url).pathname}`),
      afterSend: (response: HookResponse) =>
        void answers.push({ status: response.status, data: response.data }),
    });
    try {
      const filename = (publicRecord.doc as string[])[0]!;
      expect(await hooked.download(publicRecord, filename)).toEqual(bytes);
      expect(seen.at(-1)).toBe(`GET /api/files/${publicRecord.collectionId}/${publicRecord.id}/${filename}`);
      expect(answers.at(-1)).toEqual({ status: 200, data: undefined });
    } finally {
      await hooked.close();
    }
  });
});

describe.each(KINDS)("fileFrom through hooks (%s kind)", (kind) => {
  it("beforeSend sees a fileFrom file as a File in the FormData, and the file arrives whole", async () => {
    const path = join(dir, `${kind}-hooked.bin`);
    await writeFile(path, bytes);
    const files: { name: string; size: number }[] = [];
    const { url, email, password } = server();
    const hooked = openEnvWith(kind, {
      url,
      email,
      password,
      beforeSend: (request: HookRequest) => {
        if (!(request.body instanceof FormData)) return;
        for (const [, value] of request.body.entries()) {
          if (typeof value !== "string") files.push({ name: value.name, size: value.size });
        }
      },
    });
    try {
      const record = await hooked.collection(publicName).create({ doc: fileFrom(path) });
      expect(files).toEqual([{ name: `${kind}-hooked.bin`, size: bytes.byteLength }]);
      expect(await hooked.download(record, (record.doc as string[])[0]!)).toEqual(bytes);
    } finally {
      await hooked.close();
    }
  });
});

describe("bad file input, before any request", () => {
  it.each(KINDS)("%s kind: a bad record or filename is an InvalidInputError, nothing sent", async (kind) => {
    const wire = await tripwire();
    const env = openEnvWith(kind, { url: wire.url, token: "header.payload.signature", retries: 0 });
    try {
      const good = { id: "abc", collectionName: "posts" };
      const bad: [unknown, unknown][] = [
        [{ id: "abc" }, "a.txt"],
        [{ collectionName: "posts" }, "a.txt"],
        [{ id: "a/b", collectionName: "posts" }, "a.txt"],
        [null, "a.txt"],
        [good, ""],
        [good, "a/b.txt"],
        [good, ".."],
        [good, 5],
      ];
      for (const [record, filename] of bad) {
        const call = env as unknown as Record<string, (...args: unknown[]) => unknown>;
        for (const method of ["fileURL", "download"]) {
          expect(await failure(() => call[method]!(record, filename))).toBeInstanceOf(InvalidInputError);
        }
      }
      expect(await failure(() => env.fileURL(good, "a.txt", { thumb: "big" }))).toBeInstanceOf(
        InvalidInputError,
      );
      expect(await failure(() => env.download(good, "a.txt", { to: "" }))).toBeInstanceOf(InvalidInputError);
      expect(
        await failure(() =>
          env.download(good, "a.txt", { to: join(tmpdir(), "no-such-dir-pocketmap", "x") }),
        ),
      ).toBeInstanceOf(InvalidInputError);
      expect(wire.connections).toBe(0);
    } finally {
      await env.close();
      await wire.close();
    }
  });
});
