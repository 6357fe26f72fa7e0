// Multipart bodies, streamed. A record write with files is described as a `Multipart` (abstract/body.ts);
// here it becomes a FormData (what beforeSend hooks see: a `fileFrom(path)` file is a File backed by
// that file, not read), and the FormData is sent as a multipart stream framed here, each file read as
// it goes out. So an upload holds at most a few chunks in memory beyond what the caller holds, and a
// retry sends the body again by opening it again. (undici's own FormData would stream too, but the npm
// undici refuses Node's built-in FormData, the one users and hooks hold.)
import type { Multipart, MultipartPart } from "../abstract/body.ts";
import { InvalidInputError } from "../abstract/errors/index.ts";
import { FileFrom } from "../abstract/file-from.ts";

/** A body undici can send, any number of times: its type, its length, and a fresh stream of it. */
export interface StreamedBody {
  contentType: string;
  length: number;
  open(): AsyncIterable<Uint8Array>;
}

/** A fileFrom file that cannot be read: before the request, or while it is sent (changed or gone). */
function unreadable(path: string, cause: unknown): InvalidInputError {
  const reason = (cause as NodeJS.ErrnoException)?.code ?? String(cause);
  return new InvalidInputError(`pocketmap: fileFrom(${JSON.stringify(path)}) cannot be read (${reason})`, {
    cause,
  });
}

/** The path of each File made for a fileFrom value: streamed from it directly (see streamFile). */
const onDisk = new WeakMap<Blob, string>();

/** A file on disk as a File that reads it only as it is streamed (a file-backed Blob). */
async function openFile(file: FileFrom, name: string): Promise<File> {
  const { openAsBlob } = process.getBuiltinModule("node:fs");
  const { stat } = process.getBuiltinModule("node:fs/promises");
  let blob: Blob;
  try {
    // A folder opens as a Blob too, and would fail only once its request is under way.
    if (!(await stat(file.path)).isFile())
      throw Object.assign(new Error("not a file"), { code: "not a file" });
    blob = await openAsBlob(file.path, { type: file.type });
  } catch (cause) {
    throw unreadable(file.path, cause);
  }
  // A File made of a Blob refers to its data; nothing is read here either.
  const opened = new File([blob], name, { type: file.type });
  onDisk.set(opened, file.path);
  return opened;
}

/** Buffers a file on disk is read into, in turn (see streamFile). */
const RING = 8;
const CHUNK = 64 * 1024;

/**
 * A file's bytes as they go out. A fileFrom file is read from its path into a ring of a few buffers,
 * reused in turn: a stream that allocates a buffer per chunk leaves its garbage to V8, which collects
 * external memory only past a limit of about 64 MB, so a large upload would grow the peak RSS by that
 * much. Reuse is safe because undici writes each chunk before it asks for the next one, and waits for
 * the socket to drain whenever it holds more than its high-water mark (16 KiB, less than one chunk): a
 * buffer is read into again only after seven more chunks went out.
 */
async function* streamFile(file: Blob): AsyncIterable<Uint8Array> {
  const path = onDisk.get(file);
  if (path === undefined) {
    yield* file.stream();
    return;
  }
  const failed = (cause: unknown): never => {
    throw unreadable(path, cause);
  };
  const handle = await process.getBuiltinModule("node:fs/promises").open(path).catch(failed);
  try {
    const ring = Array.from({ length: RING }, () => Buffer.allocUnsafeSlow(CHUNK));
    let left = file.size;
    for (let turn = 0; left > 0; turn++) {
      const buffer = ring[turn % RING]!;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, left)).catch(failed);
      if (bytesRead === 0) break; // shorter than when it was opened: undici reports the length mismatch
      left -= bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The described body as a FormData, files on disk opened (not read). */
export async function toFormData(body: Multipart): Promise<FormData> {
  const form = new FormData();
  for (const [name, value, filename] of body.parts as MultipartPart[]) {
    if (typeof value === "string") form.append(name, value);
    // Appended without a filename, so that the FormData holds this File itself (not a copy, which
    // onDisk would not know).
    else if (value instanceof FileFrom) form.append(name, await openFile(value, filename ?? value.name));
    else form.append(name, value, filename);
  }
  return form;
}

/** A header's quoted value as browsers write it in multipart (WHATWG's form-data encoding). */
const quoted = (value: string) => value.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");

/** A FormData as a streamed multipart/form-data body. */
export function streamFormData(form: FormData): StreamedBody {
  const boundary = `----pocketmap${crypto.randomUUID().replaceAll("-", "")}`;
  const encoder = new TextEncoder();
  const parts: [head: Uint8Array, value: Uint8Array | Blob][] = [];
  let length = 0;
  for (const [name, value] of form.entries()) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"`;
    if (typeof value !== "string") {
      head += `; filename="${quoted(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}`;
    }
    const part: [Uint8Array, Uint8Array | Blob] = [
      encoder.encode(`${head}\r\n\r\n`),
      typeof value === "string" ? encoder.encode(value) : value,
    ];
    parts.push(part);
    length += part[0].byteLength + (part[1] instanceof Blob ? part[1].size : part[1].byteLength) + 2;
  }
  const newline = encoder.encode("\r\n");
  const end = encoder.encode(`--${boundary}--\r\n`);
  length += end.byteLength;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    async *open() {
      for (const [head, value] of parts) {
        yield head;
        if (value instanceof Blob) {
          for await (const chunk of streamFile(value)) yield chunk;
        } else yield value;
        yield newline;
      }
      yield end;
    },
  };
}
