import { InvalidInputError } from "./errors/invalid-input.ts";
import { FileFrom } from "./file-from.ts";
import { assertPlainObject, toJsonBody } from "./validate.ts";

/** A file a record field may hold: a Blob (File), bytes (Buffer, Uint8Array), or a file on disk. */
export const isFile = (value: unknown): value is Blob | Uint8Array | FileFrom =>
  value instanceof Blob || value instanceof Uint8Array || value instanceof FileFrom;

/** Whether a field's value is a file, or an array holding one. */
export const holdsFiles = (value: unknown): boolean =>
  isFile(value) || (Array.isArray(value) && value.some(isFile));

function toBlob(value: Blob | Uint8Array | FileFrom): Blob | FileFrom {
  return value instanceof Blob || value instanceof FileFrom
    ? value
    : new Blob([value as Uint8Array<ArrayBuffer>]);
}

function nameOf(file: Blob | Uint8Array | FileFrom): string {
  if (file instanceof File || file instanceof FileFrom) return file.name;
  return "blob";
}

/** A file of record data: its field (modifiers kept, e.g. "documents+"), the file, its name. */
export type FilePart = [field: string, file: Blob | FileFrom, name: string];

/** Splits record data into its JSON fields and its files (`rest` is `data` itself when there are none). */
export function splitFiles(
  data: Record<string, unknown>,
  what: string,
): { rest: Record<string, unknown>; files: FilePart[] } {
  if (!Object.values(data).some(holdsFiles)) return { rest: data, files: [] };
  const rest: Record<string, unknown> = {};
  const files: FilePart[] = [];
  for (const [field, value] of Object.entries(data)) {
    if (!holdsFiles(value)) {
      rest[field] = value;
      continue;
    }
    for (const file of Array.isArray(value) ? value : [value]) {
      if (!isFile(file))
        throw new InvalidInputError(`pocketmap: ${what}.${field} mixes files and other values`);
      files.push([field, toBlob(file), nameOf(file)]);
    }
  }
  return { rest, files };
}

/**
 * A multipart body, described: its parts in order, each a text or a file (a Blob, or a file on disk
 * that only the async kind opens). The transport makes it a FormData (what hooks see) and streams it.
 */
export class Multipart {
  readonly parts: readonly MultipartPart[];
  constructor(parts: readonly MultipartPart[]) {
    this.parts = parts;
  }
}
export type MultipartPart = [name: string, value: string | Blob | FileFrom, filename?: string];

/** A multipart body as PocketBase reads one: the files, and the other fields as JSON in `@jsonPayload`. */
export function multipartBody(files: readonly FilePart[], json: string): Multipart {
  return new Multipart([...files, ["@jsonPayload", json]]);
}

/** Record data as an object: a JSON string is parsed, anything else must be a plain object. */
export function recordObject(data: unknown, what: string): Record<string, unknown> {
  if (typeof data === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new InvalidInputError(`pocketmap: ${what} is a string but not valid JSON`);
    }
    assertPlainObject(parsed, what);
    return parsed;
  }
  assertPlainObject(data, what);
  return data;
}

/**
 * The request body for record data: JSON text, or multipart when any value is a file (Blob, File,
 * Buffer). In multipart the other fields travel as one `@jsonPayload` part so their types survive.
 */
export function recordBody(data: unknown, what = "data"): string | Multipart {
  const object = recordObject(data, what);
  if (typeof data === "string") return data;
  const { rest, files } = splitFiles(object, what);
  if (files.length === 0) return toJsonBody(object, what);
  return multipartBody(files, toJsonBody(rest, what));
}
