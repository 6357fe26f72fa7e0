// Per-call options, checked before any request: a bad value fails here as an InvalidInputError, never
// later as a RangeError from a timer, a TypeError from URLSearchParams or a NetworkError from undici.

import { InvalidInputError } from "./errors/invalid-input.ts";
import { describe, isPlainObject } from "./validate.ts";

/** The longest timeout a Node timer can wait (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

// RFC 9110 field-name: a token of these characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 field-value characters as undici accepts them: HTAB, visible ASCII, space, obs-text.
// Anything else (CR, LF, NUL, other controls, characters above U+00FF) would let one header
// smuggle another or make undici refuse the request.
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
// Headers the HTTP client manages itself; undici refuses most of them, and a wrong content-length
// would corrupt the request.
const MANAGED_HEADERS = new Set([
  "connection",
  "content-length",
  "expect",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
]);

/** Throws unless `value` is a timeout in milliseconds: an integer from 1 to {@link MAX_TIMEOUT}. */
export function assertTimeout(value: unknown, what = "timeout"): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT) {
    throw new InvalidInputError(
      `pocketmap: ${what} must be an integer number of milliseconds from 1 to ${MAX_TIMEOUT}, got ${describe(value)}`,
    );
  }
}

/**
 * Throws unless `headers` is undefined or a plain object of header names (RFC 9110 tokens, not one
 * the HTTP client manages) to string values without CR, LF, NUL or other control characters. Used for
 * per-call headers and for setup()'s.
 */
export function assertHeaders(
  headers: unknown,
  what = "headers",
): asserts headers is Record<string, string> | undefined {
  if (headers === undefined) return;
  if (!isPlainObject(headers)) {
    throw new InvalidInputError(
      `pocketmap: ${what} must be a plain object of header names to strings, got ${describe(headers)}`,
    );
  }
  if (Object.getOwnPropertySymbols(headers).length > 0) {
    throw new InvalidInputError(`pocketmap: ${what} has a symbol key; header names are strings`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      throw new InvalidInputError(
        `pocketmap: ${what} has an invalid header name ${describe(name)} (letters, digits and !#$%&'*+-.^_\`|~ only)`,
      );
    }
    if (name.toLowerCase() === "authorization") {
      throw new InvalidInputError(
        `pocketmap: ${what} cannot set "${name}": an identity's own token is the only one pocketmap sends; act as another identity with env.as(token), or change requests in a beforeSend hook`,
      );
    }
    if (MANAGED_HEADERS.has(name.toLowerCase())) {
      throw new InvalidInputError(
        `pocketmap: ${what} cannot set "${name}"; the HTTP client manages that header`,
      );
    }
    if (typeof value !== "string") {
      throw new InvalidInputError(`pocketmap: ${what}["${name}"] must be a string, got ${describe(value)}`);
    }
    if (BAD_HEADER_VALUE.test(value)) {
      // The value itself is not quoted: it may be a credential.
      throw new InvalidInputError(
        `pocketmap: ${what}["${name}"] contains a character not allowed in an HTTP header value (CR, LF, NUL, another control character or one above U+00FF)`,
      );
    }
  }
}

/** Throws unless `query` is undefined or a plain object of strings, finite numbers, booleans, null or undefined. */
export function assertQuery(query: unknown, what = "query"): void {
  if (query === undefined) return;
  if (!isPlainObject(query)) {
    throw new InvalidInputError(`pocketmap: ${what} must be a plain object, got ${describe(query)}`);
  }
  for (const [name, value] of Object.entries(query)) {
    const ok =
      value === undefined ||
      value === null ||
      typeof value === "string" ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value));
    if (!ok) {
      throw new InvalidInputError(
        `pocketmap: ${what}.${name} must be a string, a finite number, a boolean, null or undefined, got ${describe(value)}`,
      );
    }
  }
}

export function assertBoolean(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new InvalidInputError(`pocketmap: ${what} must be true or false, got ${describe(value)}`);
  }
}

/** Options of `getFirst()`: checked as given (a Map spread would become `{}`), then the first page of one. */
export function firstOptions<O extends object>(
  options: O | undefined,
): O & { page: 1; perPage: 1; skipTotal: true } {
  if (options !== undefined && options !== null && !isPlainObject(options)) {
    throw new InvalidInputError(
      `pocketmap: getFirst() options must be a plain object, got ${describe(options)}`,
    );
  }
  return { ...(options as O), page: 1, perPage: 1, skipTotal: true };
}
