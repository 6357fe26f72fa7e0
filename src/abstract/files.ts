// Files (DESIGN, "Files"): a record's file URL, and the download request (fileFrom: file-from.ts). A
// file URL is built here, locally, from the server's URL; nothing here does I/O (the download's
// request is in operations.ts; the async kind sends it and streams the answer).
import { InvalidInputError } from "./errors/invalid-input.ts";
import type { FileRecord, FileURLOptions } from "./types.ts";
import { assertRecordId, describe } from "./validate.ts";

/** A file name as a record's file field holds it: a non-empty string, one path segment. */
export function assertFilename(filename: unknown): asserts filename is string {
  if (typeof filename !== "string" || filename === "") {
    throw new InvalidInputError(`pocketmap: filename must be a non-empty string, got ${describe(filename)}`);
  }
  if (filename.includes("/") || filename === "." || filename === "..") {
    throw new InvalidInputError(
      `pocketmap: filename must be a file name as the record holds it, not a path: ${JSON.stringify(filename)}`,
    );
  }
}

/** A record whose files are asked for: its `id`, and its collection's id or name. */
export function assertFileRecord(record: unknown): asserts record is FileRecord {
  if (!record || typeof record !== "object") {
    throw new InvalidInputError(
      `pocketmap: record must be a record (with id and collectionId or collectionName), got ${describe(record)}`,
    );
  }
  const { id, collectionId, collectionName } = record as Record<string, unknown>;
  const collection = collectionId || collectionName;
  if (typeof collection !== "string") {
    throw new InvalidInputError(
      "pocketmap: record has no collectionId or collectionName (pass a record as the server returned it)",
    );
  }
  assertRecordId(collection);
  if (id === undefined) throw new InvalidInputError("pocketmap: record has no id");
  assertRecordId(id);
}

/** The record's fields a file request needs: what crosses to the sync worker. */
export function fileRecordOf(record: FileRecord): FileRecord {
  const { id, collectionId, collectionName } = record;
  const out: FileRecord = { id };
  if (collectionId) out.collectionId = collectionId;
  if (collectionName) out.collectionName = collectionName;
  return out;
}

/** `/api/files/{collection}/{record}/{filename}`. */
export function filePath(record: FileRecord, filename: string): string {
  const collection = record.collectionId || record.collectionName;
  return `/api/files/${collection}/${record.id}/${encodeURIComponent(filename)}`;
}

/** The file's URL below `base` (the server URL), with `thumb`, `download=1` and `token` as asked. */
export function fileURL(
  base: string,
  record: FileRecord,
  filename: string,
  options?: FileURLOptions,
): string {
  const query = new URLSearchParams();
  if (options?.thumb !== undefined) query.set("thumb", options.thumb);
  if (options?.download) query.set("download", "1");
  if (options?.token !== undefined) query.set("token", options.token);
  const search = query.toString();
  return `${base}${filePath(record, filename)}${search ? `?${search}` : ""}`;
}

/** A thumb size as PocketBase takes it: `WxH`, `WxHt`, `WxHb`, `WxHf`, `0xH` or `Wx0`. */
export function assertThumb(value: unknown): void {
  if (typeof value !== "string" || !/^\d{1,5}x\d{1,5}[tbf]?$/.test(value)) {
    throw new InvalidInputError(
      `pocketmap: thumb must be a size such as "100x100", "100x0" or "100x100t", got ${describe(value)}`,
    );
  }
}
