import { InvalidInputError } from "./errors/invalid-input.ts";

/** A value that can be bound into a filter. */
export type FilterValue = string | number | boolean | null | Date;
/** Equalities joined with `&&`; an array means any of its values, `null` means `= null`. */
export type FilterObject = Record<string, FilterValue | readonly FilterValue[]>;
/** What `filter` options accept. */
export type FilterInput = string | FilterObject;

// A field path: `title`, `author.name`, `@request.auth.id`, `tags:each`, `comments_via_post.id`.
const FIELD_PATH = /^@?[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:[A-Za-z]+)?$/;
const PLACEHOLDER = /\{:(\w+)\}/g;

function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new InvalidInputError("pocketmap: filter value is an invalid Date");
  // PocketBase stores datetimes as "2006-01-02 15:04:05.000Z".
  return date.toISOString().replace("T", " ");
}

/**
 * Quotes a string for PocketBase's filter grammar. Since PocketBase 0.39.9 (fexpr 0.6) a backslash
 * escapes the next character inside a quoted literal, so backslashes are doubled and quotes escaped.
 * Older releases ended a literal at the first quote not preceded by a backslash; against those, a
 * value ending in a backslash would swallow the closing quote and let the rest of the filter in, so
 * such values are refused everywhere. NUL is refused too: the scanner reads it as end of input.
 */
function quote(text: string): string {
  if (text.endsWith("\\")) {
    throw new InvalidInputError(
      "pocketmap: a filter value cannot end with a backslash (older PocketBase filter grammars cannot express it safely)",
    );
  }
  if (text.includes("\0"))
    throw new InvalidInputError("pocketmap: filter values cannot contain NUL characters");
  if (!text.isWellFormed()) {
    throw new InvalidInputError(
      "pocketmap: filter value holds a lone UTF-16 surrogate, which is not valid text",
    );
  }
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** One value as a filter literal; every value bound into a filter goes through here. */
export function escapeFilterValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value))
        throw new InvalidInputError(`pocketmap: filter value ${value} is not finite`);
      return String(value);
    default:
      if (value instanceof Date) return quote(formatDate(value));
      throw new InvalidInputError(
        `pocketmap: filter values must be strings, numbers, booleans, null or Dates, got ${
          Array.isArray(value) ? "an array" : typeof value
        }`,
      );
  }
}

/** Throws unless `key` is a plain field path (no operators, quotes or spaces). */
export function assertFieldPath(key: string): void {
  if (!FIELD_PATH.test(key)) {
    throw new InvalidInputError(
      `pocketmap: filter key ${JSON.stringify(key)} is not a field path (letters, digits, "_", "." and one ":modifier")`,
    );
  }
}

function fromObject(object: FilterObject): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    assertFieldPath(key);
    if (Array.isArray(value)) {
      // Any of nothing matches nothing; every record has a non-empty id.
      if (value.length === 0) parts.push(`id = ''`);
      else parts.push(`(${value.map((item) => `${key} = ${escapeFilterValue(item)}`).join(" || ")})`);
    } else {
      parts.push(`${key} = ${escapeFilterValue(value)}`);
    }
  }
  return parts.join(" && ");
}

/** Replaces each `{:name}` with the escaped value of `params[name]`. */
export function bindParams(expression: string, params: Record<string, unknown>): string {
  return expression.replace(PLACEHOLDER, (_match, name: string) => {
    if (!Object.hasOwn(params, name)) {
      throw new InvalidInputError(`pocketmap: filter placeholder {:${name}} has no value in params`);
    }
    return escapeFilterValue(params[name]);
  });
}

/** The filter string for a `filter` option (and its `params`), or undefined for none. */
export function buildFilter(input: unknown, params?: Record<string, unknown>): string | undefined {
  if (input === undefined || input === null || input === "") {
    if (params && Object.keys(params).length > 0) {
      throw new InvalidInputError("pocketmap: params were given without a filter to bind them into");
    }
    return undefined;
  }
  if (typeof input === "string") return params ? bindParams(input, params) : input;
  if (typeof input === "object" && !Array.isArray(input)) {
    if (params) throw new InvalidInputError("pocketmap: params only apply to a filter string, not an object");
    return fromObject(input as FilterObject) || undefined;
  }
  throw new InvalidInputError(
    `pocketmap: filter must be a string or an object of equalities, got ${typeof input}`,
  );
}

/**
 * Tagged template that escapes every interpolated value:
 * `` filter`title ~ ${query} && views > ${min}` ``.
 */
export function filter(strings: TemplateStringsArray, ...values: FilterValue[]): string {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += escapeFilterValue(value) + (strings[index + 1] ?? "");
  });
  return out;
}
