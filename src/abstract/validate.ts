import { MAX_EXPAND_DEPTH, MAX_NAME_LENGTH } from "./constants.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";

// PocketBase collection names are word characters only (system ones start with "_").
const COLLECTION_NAME = /^\w+$/;
// Record ids: PocketBase's default is 15 of [a-z0-9]; custom id fields may widen that, but never to
// characters that could change the request path ("/", ".", "%", "?", "#").
const RECORD_ID = /^[\w-]+$/;

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  return value === null ? "null" : typeof value;
}

/** Throws unless `name` is a collection name or id PocketBase could have made. */
export function assertCollectionName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(
      `pocketmap: invalid collection name ${describe(name)}: expected 1 to ${MAX_NAME_LENGTH} letters, digits or "_"`,
    );
  }
  if (!COLLECTION_NAME.test(name)) {
    throw new InvalidInputError(
      `pocketmap: invalid collection name ${describe(name)}: only letters, digits and "_" are allowed`,
    );
  }
}

/** Throws unless `id` is a record id that is safe to put in a request path. */
export function assertRecordId(id: unknown): asserts id is string {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(
      `pocketmap: invalid record id ${describe(id)}: expected a string of 1 to ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (!RECORD_ID.test(id)) {
    throw new InvalidInputError(
      `pocketmap: invalid record id ${describe(id)}: only letters, digits, "_" and "-" are allowed`,
    );
  }
}

/** Normalises `expand` to PocketBase's comma list, refusing paths deeper than it expands. */
export function normalizeExpand(expand: unknown): string | undefined {
  if (expand === undefined || expand === null || expand === "") return undefined;
  const paths = Array.isArray(expand) ? expand : typeof expand === "string" ? expand.split(",") : undefined;
  if (!paths || paths.some((path) => typeof path !== "string")) {
    throw new InvalidInputError(
      `pocketmap: expand must be a string or an array of strings, got ${describe(expand)}`,
    );
  }
  const trimmed = (paths as string[]).map((path) => path.trim()).filter(Boolean);
  for (const path of trimmed) {
    const depth = path.split(".").length;
    if (depth > MAX_EXPAND_DEPTH) {
      throw new InvalidInputError(
        `pocketmap: expand path "${path}" is ${depth} levels deep; PocketBase expands at most ${MAX_EXPAND_DEPTH}`,
      );
    }
  }
  return trimmed.join(",") || undefined;
}

/** Normalises `fields` (a comma list or an array) to PocketBase's comma list. */
export function normalizeFields(fields: unknown): string | undefined {
  if (fields === undefined || fields === null || fields === "") return undefined;
  if (typeof fields === "string") return fields;
  if (Array.isArray(fields) && fields.every((field) => typeof field === "string")) return fields.join(",");
  throw new InvalidInputError(
    `pocketmap: fields must be a string or an array of strings, got ${describe(fields)}`,
  );
}

/**
 * JSON text for a request body. Refuses what JSON would corrupt or cannot carry (BigInt, cycles,
 * NaN and Infinity, which JSON would silently turn into null) with the path of the offending value.
 */
export function toJsonBody(value: unknown, what = "data"): string {
  const seen = new Set<unknown>();
  const check = (current: unknown, path: string): void => {
    switch (typeof current) {
      case "bigint":
        throw new InvalidInputError(
          `pocketmap: ${path} is a BigInt, which JSON cannot carry; convert it to a number or a string`,
        );
      case "number":
        if (!Number.isFinite(current)) {
          throw new InvalidInputError(
            `pocketmap: ${path} is ${current}, which JSON cannot carry (it would be stored as null)`,
          );
        }
        return;
      case "object": {
        if (current === null) return;
        if (seen.has(current)) {
          throw new InvalidInputError(
            `pocketmap: ${path} refers back to itself; circular values cannot be sent`,
          );
        }
        if (typeof (current as { toJSON?: unknown }).toJSON === "function") return;
        seen.add(current);
        if (Array.isArray(current)) {
          for (const [index, item] of current.entries()) check(item, `${path}[${index}]`);
        } else for (const [key, item] of Object.entries(current)) check(item, `${path}.${key}`);
        seen.delete(current);
        return;
      }
      default:
        return;
    }
  };
  check(value, what);
  return JSON.stringify(value);
}

/** Throws unless `value` is a plain object (records and patches are objects keyed by field). */
export function assertPlainObject(value: unknown, what: string): asserts value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`pocketmap: ${what} must be an object, got ${describe(value)}`);
  }
}
