// A binary answer (a download) as the transport receives it: into one buffer of the announced size,
// or streamed to a file in constant memory. A file is written next to its destination under a
// temporary name and renamed over it only once the call succeeds (hooks included), so a failed or
// retried download never leaves a partial file where the caller asked for the whole one.
import type { Readable } from "node:stream";
import { PocketmapError } from "../abstract/errors/index.ts";
import type { SavedFile } from "../abstract/types.ts";

/** What arrived: the bytes, or a temporary file to rename to `path` (absolute). */
export type Received = { bytes: Uint8Array } | { temp: string; path: string; size: number };

/** The body's bytes: one buffer of its Content-Length when it has one (never copied), else joined once. */
async function readBytes(body: Readable, length: number | undefined): Promise<Uint8Array> {
  if (length !== undefined && Number.isSafeInteger(length) && length >= 0) {
    const bytes = new Uint8Array(length);
    let at = 0;
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      if (at + chunk.byteLength > length) return joinRest(bytes.subarray(0, at), chunk, body);
      bytes.set(chunk, at);
      at += chunk.byteLength;
      release(chunk);
    }
    return at === length ? bytes : bytes.slice(0, at);
  }
  return joinRest(new Uint8Array(0), undefined, body);
}

/** The rest of a body whose length was not (rightly) announced, joined into a buffer of its own. */
async function joinRest(
  first: Uint8Array,
  next: Uint8Array | undefined,
  body: Readable,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [first];
  if (next) chunks.push(next);
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  const joined = Buffer.concat(chunks);
  // A buffer that owns its memory (Buffer.concat may hand out a slice of its pool), so it can be transferred.
  return joined.byteOffset === 0 && joined.byteLength === joined.buffer.byteLength
    ? new Uint8Array(joined.buffer, 0, joined.byteLength)
    : new Uint8Array(joined);
}

/**
 * Frees a chunk's memory once it is written, when the chunk is the whole of its buffer (one read from
 * the socket, which nothing else refers to once undici handed it over). Left to the garbage collector,
 * the chunks of a large download pile up until V8 collects external memory (past about 64 MB), and the
 * peak RSS grows by that much whatever the file's size.
 */
function release(chunk: Uint8Array): void {
  const { buffer } = chunk;
  if (chunk.byteOffset === 0 && buffer instanceof ArrayBuffer && chunk.byteLength === buffer.byteLength) {
    buffer.transfer(0);
  }
}

/** The file could not be written (a full disk, a read-only folder): this call's own failure, not the answer's. */
function cannotWrite(path: string, cause: unknown): PocketmapError {
  const reason = (cause as NodeJS.ErrnoException)?.code ?? String(cause);
  return new PocketmapError(`pocketmap: download() could not write ${path} (${reason})`, { cause });
}

/** Receives a 2xx body: into memory, or with `to` into a temporary file beside it. */
export async function receive(
  body: Readable,
  to: string | undefined,
  length: number | undefined,
): Promise<Received> {
  if (to === undefined) return { bytes: await readBytes(body, length) };
  const { resolve } = process.getBuiltinModule("node:path");
  const { open } = process.getBuiltinModule("node:fs/promises");
  const path = resolve(to);
  const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.pocketmap-part`;
  let size = 0;
  const failed = (cause: unknown) => cannotWrite(path, cause);
  // A failure of the file (a full disk, say) is this call's own; one of the answer is the transport's.
  const file = await open(temp, "w").catch((cause: unknown) => {
    throw failed(cause);
  });
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      await file.write(chunk).catch((cause: unknown) => {
        throw failed(cause);
      });
      size += chunk.byteLength;
      release(chunk);
    }
    await file.close().catch((cause: unknown) => {
      throw failed(cause);
    });
  } catch (error) {
    await file.close().catch(() => {});
    await discard({ temp, path, size });
    throw error;
  }
  return { temp, path, size };
}

/** What the call returns: the bytes, or the file, renamed into place. */
export async function keep(received: Received): Promise<Uint8Array | SavedFile> {
  if ("bytes" in received) return received.bytes;
  try {
    await process.getBuiltinModule("node:fs/promises").rename(received.temp, received.path);
  } catch (cause) {
    await discard(received);
    throw cannotWrite(received.path, cause);
  }
  return { path: received.path, size: received.size };
}

/** Removes what a failed call received. */
export async function discard(received: Received | undefined): Promise<void> {
  if (received && "temp" in received) {
    await process.getBuiltinModule("node:fs/promises").rm(received.temp, { force: true });
  }
}
