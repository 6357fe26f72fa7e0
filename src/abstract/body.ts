import { InvalidInputError } from "./errors/invalid-input.ts";
import { assertPlainObject, toJsonBody } from "./validate.ts";

const isFile = (value: unknown): value is Blob | Uint8Array =>
  value instanceof Blob || value instanceof Uint8Array;

function hasFiles(data: Record<string, unknown>): boolean {
  return Object.values(data).some((value) => isFile(value) || (Array.isArray(value) && value.some(isFile)));
}

function toBlob(value: Blob | Uint8Array): Blob {
  return value instanceof Blob ? value : new Blob([value as Uint8Array<ArrayBuffer>]);
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
export function recordBody(data: unknown, what = "data"): string | FormData {
  recordObject(data, what);
  if (typeof data === "string") return data;
  assertPlainObject(data, what);
  if (!hasFiles(data)) return toJsonBody(data, what);
  const form = new FormData();
  const rest: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    const files = Array.isArray(value) && value.some(isFile) ? value : isFile(value) ? [value] : undefined;
    if (!files) {
      rest[field] = value;
      continue;
    }
    for (const file of files) {
      if (!isFile(file))
        throw new InvalidInputError(`pocketmap: ${what}.${field} mixes files and other values`);
      form.append(field, toBlob(file), file instanceof File ? file.name : "blob");
    }
  }
  form.append("@jsonPayload", toJsonBody(rest, what));
  return form;
}
