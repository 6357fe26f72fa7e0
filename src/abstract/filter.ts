import { InvalidInputError } from "./errors/invalid-input.ts";
import { describe, isPlainObject } from "./validate.ts";

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

/**
 * A finite number in positional decimal notation, the only number form PocketBase's filter grammar
 * reads (a digit, then digits and at most one "."; a leading "-" since fexpr 0.5): `String()` would
 * write 1e-7 or 1e+21, which the scanner cuts at the "e". The digits are the shortest ones that round
 * back to the same double (what `String()` chooses), so Go's `strconv.ParseFloat` on the server reads
 * exactly this double back. -0 is written as 0.
 */
export function formatFilterNumber(value: number): string {
  if (!Number.isFinite(value)) throw new InvalidInputError(`pocketmap: filter value ${value} is not finite`);
  if (value === 0) return "0";
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = "", exponent] = match;
  const digits = `${lead}${fraction}`;
  // Where the decimal point goes, counted in digits from the left.
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * One value as a filter literal; every value bound into a filter goes through here.
 * @example
 * ```ts
 * const clause = `title = ${escapeFilterValue("it's")}`; // title = 'it\\'s'
 * ```
 */
export function escapeFilterValue(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return formatFilterNumber(value);
    case "undefined":
      throw new InvalidInputError(
        "pocketmap: filter value is undefined; use null to match an empty field, or leave the condition out",
      );
    default:
      if (value instanceof Date) return quote(formatDate(value));
      throw new InvalidInputError(
        `pocketmap: filter values must be strings, numbers, booleans, null or Dates, got ${describe(value)}`,
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

/** escapeFilterValue, with `where` (e.g. `filter.status`) named in its error. */
function escapeAt(value: unknown, where: string): string {
  try {
    return escapeFilterValue(value);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidInputError(error.message.replace(/^pocketmap: /, `pocketmap: ${where}: `));
  }
}

function assertNoSymbolKeys(object: object, what: string): void {
  if (
    Object.getOwnPropertySymbols(object).some((key) =>
      Object.prototype.propertyIsEnumerable.call(object, key),
    )
  ) {
    throw new InvalidInputError(`pocketmap: ${what} has a symbol key; keys must be field names`);
  }
}

function fromObject(object: FilterObject): string {
  assertNoSymbolKeys(object, "filter object");
  const parts: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    assertFieldPath(key);
    if (Array.isArray(value)) {
      // Any of nothing matches nothing; every record has a non-empty id.
      if (value.length === 0) parts.push(`id = ''`);
      else {
        // A plain loop: map() would skip holes, which stand for undefined.
        const values: string[] = [];
        for (let index = 0; index < value.length; index++) {
          values.push(`${key} = ${escapeAt(value[index], `filter.${key}[${index}]`)}`);
        }
        parts.push(`(${values.join(" || ")})`);
      }
    } else {
      parts.push(`${key} = ${escapeAt(value, `filter.${key}`)}`);
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

/** Throws unless `params` is absent or a plain object of filter values (every one, used or not). */
function assertParams(params: unknown): asserts params is Record<string, unknown> | undefined | null {
  if (params === undefined || params === null) return;
  if (!isPlainObject(params)) {
    throw new InvalidInputError(`pocketmap: params must be a plain object, got ${describe(params)}`);
  }
  assertNoSymbolKeys(params, "params");
  for (const [name, value] of Object.entries(params)) escapeAt(value, `params.${name}`);
}

/** The filter string for a `filter` option (and its `params`), or undefined for none. */
export function buildFilter(input: unknown, params?: unknown): string | undefined {
  assertParams(params);
  if (input === undefined || input === null || input === "") {
    if (params && Object.keys(params).length > 0) {
      throw new InvalidInputError("pocketmap: params were given without a filter to bind them into");
    }
    return undefined;
  }
  if (typeof input === "string") return params ? bindParams(input, params) : input;
  if (isPlainObject(input)) {
    if (params) throw new InvalidInputError("pocketmap: params only apply to a filter string, not an object");
    return fromObject(input as FilterObject) || undefined;
  }
  throw new InvalidInputError(
    `pocketmap: filter must be a string or a plain object of equalities, got ${describe(input)}`,
  );
}

/**
 * Tagged template that escapes every interpolated value:
 * `` filter`title ~ ${query} && views > ${min}` ``.
 * @example
 * ```ts
 * await env.posts.list({ filter: filter`title ~ ${query} && views > ${min}` });
 * ```
 */
export function filter(strings: TemplateStringsArray, ...values: FilterValue[]): string {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += escapeFilterValue(value) + (strings[index + 1] ?? "");
  });
  return out;
}
