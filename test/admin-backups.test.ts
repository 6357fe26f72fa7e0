// env.admin.backups against a real PocketBase of the project's version, both kinds. Each kind works on
// a server of its own (started here, not the suite's shared one): backups copy the whole data
// directory, and S3 settings would move every other file's uploads.
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, BadRequestError, fileFrom } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { privateServer } from "./helpers.ts";
import { failure, KINDS, openEnvWith, type Refusal, refusedBeforeAnyRequest } from "./kinds.ts";
import { type S3Server, startS3Server } from "./s3-server.ts";

const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b; // "PK"

describe.each(KINDS)("admin.backups (%s kind)", (kind) => {
  let pb: EmbeddedServer;
  let env: AsyncEnvironment;
  let s3: S3Server;
  beforeAll(async () => {
    [pb, s3] = await Promise.all([privateServer(), startS3Server()]);
    env = openEnvWith(kind, { url: pb.url, email: pb.email, password: pb.password });
  });
  afterAll(async () => {
    await env?.close();
    await Promise.all([pb?.stop(), s3?.close()]);
  });

  it("create() makes a backup and returns its key; list() shows it with its size and date", async () => {
    const key = await env.admin.backups.create(`${kind}_named.zip`);
    expect(key).toBe(`${kind}_named.zip`);
    const generated = await env.admin.backups.create();
    expect(generated).toMatch(/^pb_backup_\d{14}\.zip$/);
    const list = await env.admin.backups.list();
    const named = list.find((backup) => backup.key === key);
    expect(named).toEqual({ key, size: expect.any(Number), modified: expect.any(String) });
    expect(named!.size).toBeGreaterThan(0);
    expect(named!.modified).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(list.map((backup) => backup.key)).toContain(generated);
  });

  it("download() returns the bytes; with { to } it streams them to a file", async () => {
    const key = await env.admin.backups.create(`${kind}_download.zip`);
    const { size } = (await env.admin.backups.list()).find((backup) => backup.key === key)!;
    const bytes = await env.admin.backups.download(key);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes!.byteLength).toBe(size);
    expect(isZip(bytes!)).toBe(true);
    const to = join(tmpdir(), `pocketmap-${kind}-${Date.now()}.zip`);
    try {
      expect(await env.admin.backups.download(key, { to })).toEqual({ path: to, size: bytes.byteLength });
      expect((await stat(to)).size).toBe(size);
      expect(Buffer.compare(await readFile(to), Buffer.from(bytes!))).toBe(0);
    } finally {
      await rm(to, { force: true });
    }
  });

  it("downloadURL() is a URL with a file token that downloads the backup", async () => {
    const key = await env.admin.backups.create(`${kind}_url.zip`);
    const url = await env.admin.backups.downloadURL(key);
    expect(url).toMatch(new RegExp(`^${pb.url}/api/backups/${kind}_url\\.zip\\?token=`));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(isZip(new Uint8Array(await response.arrayBuffer()))).toBe(true);
  });

  it("upload() stores a zip under its name (a File's own, or the one given) and returns the key", async () => {
    const bytes = await env.admin.backups.download(await env.admin.backups.create(`${kind}_source.zip`));
    expect(await env.admin.backups.upload(bytes!, `${kind}_uploaded.zip`)).toBe(`${kind}_uploaded.zip`);
    const file = new File([Buffer.from(bytes!)], `${kind}_file.zip`, { type: "application/zip" });
    expect(await env.admin.backups.upload(file)).toBe(`${kind}_file.zip`);
    // From disk, streamed: fileFrom(path), its key the file's name.
    const path = join(tmpdir(), `${kind}_disk_${Date.now()}.zip`);
    await writeFile(path, bytes!);
    try {
      expect(await env.admin.backups.upload(fileFrom(path))).toBe(basename(path));
    } finally {
      await rm(path, { force: true });
    }
    const keys = (await env.admin.backups.list()).map((backup) => backup.key);
    expect(keys).toEqual(
      expect.arrayContaining([`${kind}_uploaded.zip`, `${kind}_file.zip`, basename(path)]),
    );
    // PocketBase takes only zips.
    const error = await failure(() => env.admin.backups.upload(new Uint8Array([1, 2, 3]), `${kind}_not.zip`));
    expect(error).toBeInstanceOf(BadRequestError);
  });

  it("delete() removes a backup; deleting it again is a BadRequestError", async () => {
    const key = await env.admin.backups.create(`${kind}_deleted.zip`);
    await env.admin.backups.delete(key);
    expect((await env.admin.backups.list()).map((backup) => backup.key)).not.toContain(key);
    expect(await failure(() => env.admin.backups.delete(key))).toBeInstanceOf(BadRequestError);
  });

  it("restore() of a missing backup fails at once (the server checks it exists)", async () => {
    expect(await failure(() => env.admin.backups.restore(`${kind}_missing.zip`))).toBeInstanceOf(
      BadRequestError,
    );
  });

  it("backups go to S3 when settings say so: created, listed and deleted there", async () => {
    await env.admin.settings.update({ backups: { s3: s3.config } });
    try {
      await env.admin.settings.testS3("backups");
      const key = await env.admin.backups.create(`${kind}_s3.zip`);
      // Only what is in the bucket is listed now.
      const list = await env.admin.backups.list();
      expect(list.map((backup) => backup.key)).toEqual([key]);
      expect(isZip((await env.admin.backups.download(key))!)).toBe(true);
      await env.admin.backups.delete(key);
      expect(await env.admin.backups.list()).toEqual([]);
    } finally {
      await env.admin.settings.update({ backups: { s3: { enabled: false } } });
    }
  });
});

const cases: Refusal[] = [
  ["a key with a /", (env) => env.admin.backups.download("../x.zip"), /without "\/"/],
  ["an empty key", (env) => env.admin.backups.delete(""), /backup's file name/],
  ["a key that is not a string", (env) => env.admin.backups.restore(42 as never), /backup's file name/],
  ["a key with a backslash", (env) => env.admin.backups.downloadURL("a\\b.zip"), /without "\/"/],
  ["a name PocketBase refuses", (env) => env.admin.backups.create("My Backup.zip"), /lower-case/],
  ["a name without .zip", (env) => env.admin.backups.create("backup"), /ending in ".zip"/],
  ["an upload that is not a file", (env) => env.admin.backups.upload("zip" as never, "a.zip"), /Blob/],
  ["bytes without a name", (env) => env.admin.backups.upload(new Uint8Array(4)), /needs a name/],
  ["an empty download path", (env) => env.admin.backups.download("a.zip", { to: "" }), /file path/],
];

refusedBeforeAnyRequest("admin.backups: bad input fails before any request", cases);
