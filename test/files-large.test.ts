// A 200 MB file, uploaded with fileFrom(path) and downloaded with { to }, in both kinds: the bytes
// arrive whole (sha256) and neither step grows the process's peak RSS by 64 MB, measured in a child
// process of its own (test/fixtures/files-large.ts) so that nothing else in it moves the peak.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { server, superuserEnv, uniqueName, visible } from "./helpers.ts";
import { KINDS } from "./kinds.ts";

const run = promisify(execFile);
const SIZE = 200 * 1024 * 1024;
const LIMIT = 64 * 1024 * 1024;

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

let dir: string;
let name: string;
let source: string;
let small: string;
let expected: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pocketmap-large-"));
  source = join(dir, "large.bin");
  small = join(dir, "small.bin");
  // Distinct bytes in every chunk, so that a repeated or dropped chunk would show in the hash.
  await pipeline(
    (async function* () {
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < SIZE / chunk.length; i++) {
        chunk.fill(i % 251);
        chunk.writeUInt32BE(i, 0);
        yield chunk;
      }
    })(),
    createWriteStream(source),
  );
  await writeFile(small, "warm");
  expected = await sha256(source);
  name = uniqueName("large_files");
  const admin = superuserEnv();
  await admin.createCollection({
    name,
    type: "base",
    fields: [{ name: "doc", type: "file", maxSelect: 1, maxSize: SIZE + 1024 * 1024 }],
  });
  await visible(admin, name);
  await admin.close();
}, 120_000);
afterAll(async () => {
  // The server keeps what was uploaded until the suite ends: 400 MB, unless the collection goes now.
  const admin = superuserEnv();
  await admin.delete(name);
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(KINDS)("a 200 MB file (%s kind)", (kind) => {
  it("uploads with fileFrom and downloads with { to } whole, each step under 64 MB of peak RSS", async () => {
    const target = join(dir, `${kind}-copy.bin`);
    const { url, email, password } = server();
    const { stdout } = await run(
      process.execPath,
      [
        join(import.meta.dirname, "fixtures", "files-large.ts"),
        kind,
        url,
        email,
        password,
        name,
        source,
        target,
        small,
      ],
      { timeout: 120_000 },
    );
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
      upload: number;
      download: number;
      saved: { path: string; size: number };
    };
    console.log(
      `${kind} kind, 200 MB: peak RSS grew ${(result.upload / 1e6).toFixed(1)} MB on upload, ${(result.download / 1e6).toFixed(1)} MB on download`,
    );
    expect(result.saved).toEqual({ path: target, size: SIZE });
    expect(await sha256(target)).toBe(expected);
    expect(result.upload).toBeLessThan(LIMIT);
    expect(result.download).toBeLessThan(LIMIT);
  }, 180_000);
});
