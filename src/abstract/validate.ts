import { MAX_EXPAND_DEPTH, MAX_NAME_LENGTH } from "./constants.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";

// PocketBase collection names are word characters only (system ones start with "_").
const COLLECTION_NAME = /^\w+$/;
// Record ids: PocketBase's default is 15 of [a-z0-9]; custom id fields may widen that, but never to
// characters that could change the request path ("/", ".", "%", "?", "#").
const RECORD_ID = /^[\w-]+$/;

/** Whether `value` is a plain object: made by `{}` (or `Object.create(null)`), not a class instance, Map, Date... */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A short description of a value for error messages (never its full content). */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean" || value === undefined) return String(value);
  if (value === null) return "null";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (isPlainObject(value)) return "an object";
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } }).constructor?.name;
  const label = typeof name === "string" && name ? name : "non-plain";
  return `${/^[AEIOU]/.test(label) ? "an" : "a"} ${label} object`;
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
 * Throws unless `value` is data that JSON carries faithfully, naming the path of the offending value:
 * plain objects, arrays, strings, finite numbers, booleans and null, and objects with a `toJSON`
 * method (Dates), whose result is checked in turn. Refused: BigInt, NaN and Infinity (JSON would turn
 * them into null), functions, symbols and symbol keys (JSON drops them), Maps, Sets, class instances
 * and other non-plain objects (JSON sends them as `{}` or as a bare copy of their fields), undefined
 * array items and holes (JSON sends null) and cycles. An object field whose value is undefined is
 * dropped, as JSON drops it. Returns whether some value had a `toJSON` other than Date's.
 */
export function assertJsonData(value: unknown, what = "data"): boolean {
  // Hot in bulk jobs (every record of a createMany): the path of a value is only spelled out when it
  // fails, from the chain of containers above it, so valid data costs no string building.
  const ancestors: unknown[] = [];
  const keys: (string | number)[] = [];
  let custom = false;
  const fail = (key: string | number | undefined, reason: string): never => {
    let path = what;
    for (const step of key === undefined ? keys : [...keys, key]) {
      path += typeof step === "number" ? `[${step}]` : `.${step}`;
    }
    throw new InvalidInputError(`pocketmap: ${path} ${reason}`);
  };
  // `key`: where `current` sits in its container (undefined at the top, and for a toJSON result,
  // which takes its holder's place).
  const check = (current: unknown, key: string | number | undefined, convert: boolean): void => {
    switch (typeof current) {
      case "string":
      case "boolean":
      case "undefined":
        return;
      case "number":
        if (!Number.isFinite(current))
          fail(key, `is ${current}, which JSON cannot carry (it would be stored as null)`);
        return;
      case "bigint":
        fail(key, "is a BigInt, which JSON cannot carry; convert it to a number or a string");
        return;
      case "function":
        fail(key, "is a function, which JSON cannot carry (it would be dropped)");
        return;
      case "symbol":
        fail(key, "is a symbol, which JSON cannot carry (it would be dropped)");
        return;
      default:
        break;
    }
    if (current === null) return;
    const object = current as object;
    if (ancestors.includes(object)) fail(key, "refers back to itself; circular values cannot be sent");
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (convert && typeof toJSON === "function") {
      if (!(object instanceof Date)) custom = true;
      check(toJSON.call(object, key === undefined ? "" : String(key)), key, false);
      return;
    }
    const isArray = Array.isArray(object);
    if (!isArray && !isPlainObject(object)) {
      fail(
        key,
        `is ${describe(object)}, not plain data: JSON would not carry it faithfully; pass plain objects, arrays, strings, numbers, booleans or null`,
      );
    }
    if (key !== undefined) keys.push(key);
    ancestors.push(object);
    if (isArray) {
      const array = object as unknown[];
      for (let index = 0; index < array.length; index++) {
        const item = array[index];
        if (item === undefined) fail(index, "is undefined, which JSON would send as null; use null");
        check(item, index, true);
      }
    } else {
      const record = object as Record<string, unknown>;
      const symbols = Object.getOwnPropertySymbols(record);
      if (
        symbols.length > 0 &&
        symbols.some((symbol) => Object.prototype.propertyIsEnumerable.call(record, symbol))
      ) {
        fail(undefined, "has a symbol key, which JSON cannot carry (it would be dropped)");
      }
      const fields = Object.keys(record);
      for (let i = 0; i < fields.length; i++) check(record[fields[i]!], fields[i], true);
    }
    ancestors.pop();
    if (key !== undefined) keys.pop();
  };
  check(value, undefined, true);
  return custom;
}

/** JSON text for a request body, after {@link assertJsonData} has accepted the value. */
export function toJsonBody(value: unknown, what = "data"): string {
  assertJsonData(value, what);
  return JSON.stringify(value);
}

/** Throws unless `value` is a plain object (records and patches are objects keyed by field). */
export function assertPlainObject(value: unknown, what: string): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new InvalidInputError(`pocketmap: ${what} must be a plain object, got ${describe(value)}`);
  }
}

/** An integer from 1 to `max`, or undefined when not given. */
export function positiveInteger(
  value: unknown,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(
      `pocketmap: ${name} must be an integer from 1 to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

/** Normalises `sort` (a comma list or an array) to PocketBase's comma list. */
export function normalizeSort(sort: unknown): string | undefined {
  if (sort === undefined || sort === "") return undefined;
  if (typeof sort === "string") return sort;
  if (Array.isArray(sort) && sort.every((key) => typeof key === "string")) return sort.join(",");
  throw new InvalidInputError("pocketmap: sort must be a string or an array of strings");
}
