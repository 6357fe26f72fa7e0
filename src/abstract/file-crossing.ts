// How files in record data cross to the sync kind's worker: a `fileFrom(path)` value as its path,
// name and type (the worker opens the path, so the file is streamed from disk there, never copied
// through the thread boundary); a Blob as it is, unless it is backed by a file (`fs.openAsBlob`),
// which Node cannot clone: that one is refused on the calling thread, before anything is sent, with
// the way out. params.ts applies this to every parameter that carries record data.
import { InvalidInputError } from "./errors/invalid-input.ts";
import { FileFrom } from "./file-from.ts";
import { isPlainObject } from "./validate.ts";

/** Where the fileFrom values of crossed record data were: `[field, index in its array or -1]`. */
type Places = [field: string, index: number][];

function crossFile(value: unknown, field: string, where: string): unknown {
  if (value instanceof FileFrom) return { path: value.path, name: value.name, type: value.type };
  if (value instanceof Blob) {
    try {
      // An in-memory Blob clones by reference (no copy); a file-backed one cannot be cloned at all.
      structuredClone(value);
    } catch {
      throw new InvalidInputError(
        `pocketmap: ${where}.${field} is a Blob backed by a file (fs.openAsBlob), which cannot cross to the sync kind's worker; use fileFrom(path) to stream a file from disk`,
      );
    }
  }
  return value;
}

/**
 * Record data (an object after recordData(), or JSON text) as it crosses: as it is when it holds no
 * fileFrom value, else `[data with each one described, where they were]`. Record data is never an
 * array, so the form cannot be mistaken for data.
 */
export function crossFiles(data: unknown, where = "data"): unknown {
  if (!isPlainObject(data)) return data;
  const places: Places = [];
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (Array.isArray(value)) {
      out[field] = value.map((item, index) => {
        if (item instanceof FileFrom) places.push([field, index]);
        return crossFile(item, field, where);
      });
    } else {
      if (value instanceof FileFrom) places.push([field, -1]);
      out[field] = crossFile(value, field, where);
    }
  }
  return places.length === 0 ? data : [out, places];
}

/** In the worker: crossed record data back, each fileFrom value a FileFrom again. */
export function reviveFiles(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const [data, places] = value as [Record<string, unknown>, Places];
  const revive = (described: unknown) => {
    const { path, name, type } = described as FileFrom;
    return new FileFrom(path, name, type);
  };
  for (const [field, index] of places) {
    if (index === -1) data[field] = revive(data[field]);
    else (data[field] as unknown[])[index] = revive((data[field] as unknown[])[index]);
  }
  return data;
}
