// admin.backups.restore(): PocketBase restarts itself after a restore (it re-executes its binary: same
// process, same port). The call resolves once the server answers again, and an embedded server stays
// supervised: stopped at close(), at exit, and when its script is SIGKILLed.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, PocketmapError, setup, TimeoutError } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { ended, eventually, fixtureWithServer, gone, pocketBaseAt, privateServer } from "./helpers.ts";
import { KINDS, openEnvWith } from "./kinds.ts";

/** A little-endian record of `size` bytes with these [offset, value, width] fields set. */
function record(size: number, fields: [number, number, 2 | 4][]): Buffer {
  const bytes = Buffer.alloc(size);
  for (const [offset, value, width] of fields) {
    if (width === 2) bytes.writeUInt16LE(value, offset);
    else bytes.writeUInt32LE(value, offset);
  }
  return bytes;
}

/** A zip holding one small text file (stored, not compressed): a zip, but not a PocketBase backup. */
function zipOf(name: string, text: string): Uint8Array {
  const data = Buffer.from(text);
  const file = Buffer.from(name);
  const [crc, size, length] = [crc32(data), data.length, file.length];
  const local = record(30, [
    [0, 0x04034b50, 4],
    [4, 20, 2],
    [14, crc, 4],
    [18, size, 4],
    [22, size, 4],
    [26, length, 2],
  ]);
  const central = record(46, [
    [0, 0x02014b50, 4],
    [4, 20, 2],
    [6, 20, 2],
    [16, crc, 4],
    [20, size, 4],
    [24, size, 4],
    [28, length, 2],
  ]);
  const offset = local.length + length + size;
  const end = record(22, [
    [0, 0x06054b50, 4],
    [8, 1, 2],
    [10, 1, 2],
    [12, central.length + length, 4],
    [16, offset, 4],
  ]);
  return Buffer.concat([local, file, data, central, file, end]);
}

const notes = { name: "notes", type: "base", fields: [{ name: "text", type: "text" }] };

describe.each(KINDS)("restore() on an embedded server (%s kind)", (kind) => {
  it("brings the backup's data back on the same server and port; close() still stops it", async () => {
    const env = openEnvWith(kind, { url: undefined });
    try {
      await env.createCollection(notes);
      await env.notes!.set("note00000000001", { text: "kept" });
      const key = await env.admin.backups.create(`${kind}_restore.zip`);
      await env.notes!.set("note00000000002", { text: "undone" });
      const url = await env.url();
      const before = pocketBaseAt(url);
      expect(before).toBeDefined();

      await env.admin.backups.restore(key);

      // The next call works at once: restore() waited for the restarted server.
      expect(await env.notes!.count()).toBe(1);
      expect((await env.notes!.get("note00000000001"))?.text).toBe("kept");
      expect(await env.notes!.get("note00000000002")).toBeUndefined();
      expect(await env.url()).toBe(url);
      const after = pocketBaseAt(url);
      expect(after).toEqual(before);
      await env.close();
      expect(await gone(url)).toBe(true);
      expect(await eventually(() => ended(after!.pid))).toBe(true);
      expect(existsSync(dirname(after!.dir))).toBe(false);
    } finally {
      await env.close();
    }
  });
});

describe("restore() of a backup from another server (embedded)", () => {
  it("keeps the embedded server's superuser: later calls still work", async () => {
    const other = setup({ async: true, url: undefined });
    const env = setup({ async: true, url: undefined });
    try {
      await other.createCollection(notes);
      await other.notes!.set("note00000000003", { text: "from elsewhere" });
      const bytes = await other.admin.backups.download(await other.admin.backups.create("elsewhere.zip"));
      await env.admin.backups.upload(bytes!, "elsewhere.zip");
      await env.admin.backups.restore("elsewhere.zip");
      expect((await env.notes!.get("note00000000003"))?.text).toBe("from elsewhere");
      expect((await env.admin.backups.list()).map((backup) => backup.key)).toContain("elsewhere.zip");
    } finally {
      await Promise.all([other.close(), env.close()]);
    }
  });
});

describe("restore() on a server given by URL", () => {
  let pb: EmbeddedServer;
  let env: AsyncEnvironment;
  beforeAll(async () => {
    pb = await privateServer();
    env = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
  });
  afterAll(async () => {
    await env?.close();
    await pb?.stop();
  });

  it("resolves once the restarted server answers", async () => {
    await env.createCollection(notes);
    const key = await env.admin.backups.create("remote.zip");
    await env.notes!.set("note00000000004", { text: "undone" });
    await env.admin.backups.restore(key);
    expect(await env.notes!.count()).toBe(0);
    expect((await env.health()).code).toBe(200);
  });

  it("a restore PocketBase gives up on (a zip without data.db) fails rather than waits forever", async () => {
    await env.admin.backups.upload(zipOf("hello.txt", "not a backup"), "not_a_backup.zip");
    // The bound is the call's timeout; what it proves is that the call ends, with a PocketmapError.
    const error = await env.admin.backups.restore("not_a_backup.zip", { timeout: 15_000 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PocketmapError);
    // Told by the server's logs, not by the timeout: with PocketBase's own reason.
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/did not restore backup "not_a_backup\.zip".*data\.db/);
    // The server was never down: it still answers, with its data.
    expect((await env.health()).code).toBe(200);
  });
});

describe.each(KINDS)("a script that restored a backup and is SIGKILLed (%s kind)", (kind) => {
  it("leaves no PocketBase running and no temporary directory", async () => {
    const script = join(import.meta.dirname, "fixtures/restore-kill.ts");
    const { child, exited, url } = await fixtureWithServer(script, [kind]);
    const server = pocketBaseAt(url);
    expect(server).toBeDefined();
    child.kill("SIGKILL");
    expect((await exited).signal).toBe("SIGKILL");
    expect(await eventually(() => ended(server!.pid))).toBe(true);
    expect(await eventually(() => !existsSync(dirname(server!.dir)))).toBe(true);
    expect(await gone(url)).toBe(true);
  });
});
