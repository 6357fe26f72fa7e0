// How a response body is decoded and what shape each operation expects of it. No I/O: the transport
// hands over the text it received.

/**
 * The shape an operation expects of a 2xx body: `record` an object (with a string id unless `fields`
 * narrowed it), `list` a page of records, `auth` a token and record, `token` a token alone (file
 * tokens), `batch` an array of results, `object` any JSON object, `array` any JSON array, `empty` nothing in particular (a 204 or anything else).
 */
export type Expect = "record" | "list" | "auth" | "token" | "batch" | "object" | "array" | "empty";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The body's media type and size, for messages: never its text, which may echo secrets. */
export function describeBody(text: string, contentType: string | undefined): string {
  const type = contentType?.split(";")[0]?.trim() || "no content type";
  return `${type}, ${Buffer.byteLength(text)} bytes`;
}

export type Decoded = { ok: true; value: unknown } | { ok: false; problem: string };

/** JSON text as a value; an empty body is `undefined`. */
export function decodeJson(text: string, contentType: string | undefined): Decoded {
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, problem: `a body that is not valid JSON (${describeBody(text, contentType)})` };
  }
}

function what(value: unknown): string {
  if (value === undefined) return "an empty body";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function recordProblem(value: unknown, narrowed: boolean): string | undefined {
  if (!isObject(value)) return `${what(value)} where a record was expected`;
  if ((!narrowed || "id" in value) && typeof value.id !== "string") return "a record without a string id";
  return undefined;
}

/**
 * What is wrong with a decoded 2xx body for the shape an operation expects, or undefined when it fits.
 * `narrowed`: the request's `fields` may have left out the id.
 */
export function shapeProblem(
  expect: Expect | undefined,
  value: unknown,
  narrowed: boolean,
): string | undefined {
  switch (expect) {
    case undefined:
    case "empty":
      return undefined;
    case "object":
      return isObject(value) ? undefined : `${what(value)} where a JSON object was expected`;
    case "array":
      return Array.isArray(value) ? undefined : `${what(value)} where a JSON array was expected`;
    case "record":
      return recordProblem(value, narrowed);
    case "list": {
      if (!isObject(value)) return `${what(value)} where a list of records was expected`;
      if (!Array.isArray(value.items)) return "a list without an items array";
      for (const key of ["page", "perPage", "totalItems", "totalPages"]) {
        if (typeof value[key] !== "number") return `a list whose ${key} is not a number`;
      }
      for (const item of value.items) {
        const problem = recordProblem(item, narrowed);
        if (problem) return `a list holding ${problem}`;
      }
      return undefined;
    }
    case "auth":
      if (!isObject(value)) return `${what(value)} where an auth result was expected`;
      if (typeof value.token !== "string" || value.token === "") return "an auth result without a token";
      return isObject(value.record) ? undefined : "an auth result without a record";
    case "token":
      if (!isObject(value)) return `${what(value)} where a token was expected`;
      return typeof value.token === "string" && value.token !== "" ? undefined : "an answer without a token";
    case "batch":
      if (!Array.isArray(value)) return `${what(value)} where an array of batch results was expected`;
      return value.every((item) => isObject(item) && typeof item.status === "number")
        ? undefined
        : "a batch result without a numeric status";
  }
}
