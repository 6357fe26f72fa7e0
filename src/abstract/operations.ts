// Every PocketBase operation described once, as data: method, path, query and body. The async kind
// runs these over undici; nothing here does I/O.

import { type Multipart, recordBody } from "./body.ts";
import { DEFAULT_PAGE_SIZE } from "./constants.ts";
import type { Expect } from "./decode.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import { filePath } from "./files.ts";
import { buildFilter } from "./filter.ts";
import { checkOptions } from "./option-checks.ts";
import type {
  CountOptions,
  FileRecord,
  IterateOptions,
  ListOptions,
  QueryValue,
  RecordOptions,
  RequestOptions,
} from "./types.ts";
import {
  assertCollectionName,
  assertRecordId,
  describe,
  normalizeExpand,
  normalizeFields,
  normalizeSort,
  positiveInteger,
  toJsonBody,
} from "./validate.ts";

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** One request, before it is sent. */
export interface RequestSpec {
  method: Method;
  /** Path below the server URL, starting with `/api/`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: string | FormData | Multipart;
  /** Send the environment's auth token (default true). */
  auth?: boolean;
  /** Send this token instead of the environment's (`auth.refresh(token)`). */
  token?: string;
  /**
   * A download: a 2xx answer is bytes, not JSON, kept in memory or, with `to`, streamed to that file
   * (an error answer is read as any other).
   */
  binary?: { to?: string };
  /** `env.send()`: a 2xx answer whose content type is not JSON (a file) is its bytes, a Uint8Array. */
  bytesUnlessJson?: boolean;
  /** The shape a 2xx body must have (see decode.ts); a body that does not fit is an error. */
  expect?: Expect;
  /** Secrets this request carries, kept out of any error (the token and body fields are found anyway). */
  secrets?: readonly string[];
}

export function collectionPath(collection: string): string {
  assertCollectionName(collection);
  return `/api/collections/${collection}`;
}

export function recordsPath(collection: string): string {
  return `${collectionPath(collection)}/records`;
}

export function recordPath(collection: string, id: string): string {
  assertRecordId(id);
  return `${recordsPath(collection)}/${id}`;
}

/** `query` extras overlaid by the named options that were given (an unset option never erases an extra). */
function withExtras(
  extras: Record<string, QueryValue> | undefined,
  named: Record<string, QueryValue>,
): Record<string, QueryValue> {
  const query = { ...extras };
  for (const [key, value] of Object.entries(named)) if (value !== undefined) query[key] = value;
  return query;
}

function recordQuery(options: RecordOptions | undefined): Record<string, QueryValue> {
  return withExtras(options?.query, {
    expand: normalizeExpand(options?.expand),
    fields: normalizeFields(options?.fields),
  });
}

/** Query parameters of a list request (shared by list, iterate and count). */
export function listQuery(options: ListOptions | undefined): Record<string, QueryValue> {
  return withExtras(recordQuery(options), {
    page: positiveInteger(options?.page, "page"),
    perPage: positiveInteger(options?.perPage, "perPage", 1000),
    sort: normalizeSort(options?.sort),
    filter: buildFilter(options?.filter, options?.params),
    skipTotal: options?.skipTotal ? true : undefined,
  });
}

export const records = {
  list(collection: string, options?: ListOptions): RequestSpec {
    checkOptions("list", options, "list()");
    return { method: "GET", path: recordsPath(collection), query: listQuery(options), expect: "list" };
  },
  getOne(collection: string, id: string, options?: RecordOptions): RequestSpec {
    checkOptions("record", options, "getOne()");
    return { method: "GET", path: recordPath(collection, id), query: recordQuery(options), expect: "record" };
  },
  create(collection: string, data: unknown, options?: RecordOptions): RequestSpec {
    checkOptions("record", options, "create()");
    return {
      method: "POST",
      path: recordsPath(collection),
      query: recordQuery(options),
      body: recordBody(data),
      expect: "record",
    };
  },
  update(collection: string, id: string, data: unknown, options?: RecordOptions): RequestSpec {
    checkOptions("record", options, "update()");
    return {
      method: "PATCH",
      path: recordPath(collection, id),
      query: recordQuery(options),
      body: recordBody(data),
      expect: "record",
    };
  },
  remove(collection: string, id: string, options?: RequestOptions): RequestSpec {
    checkOptions("request", options, "remove()");
    return {
      method: "DELETE",
      path: recordPath(collection, id),
      query: { ...options?.query },
      expect: "empty",
    };
  },
  count(collection: string, options?: CountOptions): RequestSpec {
    checkOptions("count", options, "count()");
    const query = listQuery({ filter: options?.filter, params: options?.params, perPage: 1, fields: "id" });
    return {
      method: "GET",
      path: recordsPath(collection),
      query: withExtras(options?.query, query),
      expect: "list",
    };
  },
  /** The smallest request that tells whether a record exists. */
  exists(collection: string, id: string): RequestSpec {
    return { method: "GET", path: recordPath(collection, id), query: { fields: "id" }, expect: "record" };
  },
  authWithPassword(collection: string, identity: string, password: string): RequestSpec {
    if (typeof identity !== "string" || identity === "" || typeof password !== "string" || password === "") {
      throw new InvalidInputError("pocketmap: auth needs a non-empty identity and password");
    }
    return {
      method: "POST",
      path: `${collectionPath(collection)}/auth-with-password`,
      body: JSON.stringify({ identity, password }),
      auth: false,
      expect: "auth",
      secrets: [password],
    };
  },
};

/**
 * Validates iterate options, all of them before the first page is asked for, and returns them with
 * the page size resolved.
 */
export function iterateOptions(
  options: IterateOptions | undefined,
  defaultPageSize = DEFAULT_PAGE_SIZE,
): IterateOptions & { pageSize: number } {
  checkOptions("iterate", options, "iterate()");
  const pageSize = options?.pageSize ?? defaultPageSize;
  return { ...options, pageSize };
}

/** Options of `env.send()`: the request options, plus the method, a JSON body and `anonymous`. */
interface SendSpecOptions extends RequestOptions {
  method?: Method;
  body?: Record<string, unknown>;
  /** Send without the environment's auth token. */
  anonymous?: boolean;
}

/** The request `env.send(path, options)` makes, after checking the path and every option. */
export function sendSpec(path: unknown, options: SendSpecOptions | undefined): RequestSpec {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new InvalidInputError(`pocketmap: send() takes a path starting with "/", got ${describe(path)}`);
  }
  checkOptions("send", options, "send()");
  const method = options?.method ?? "GET";
  return {
    method,
    path,
    query: options?.query,
    body: options?.body === undefined ? undefined : toJsonBody(options.body, "body"),
    auth: !options?.anonymous,
    bytesUnlessJson: true,
  };
}

export const settings = {
  get(): RequestSpec {
    return { method: "GET", path: "/api/settings", expect: "object" };
  },
  update(body: Record<string, unknown>): RequestSpec {
    return { method: "PATCH", path: "/api/settings", body: toJsonBody(body, "settings"), expect: "object" };
  },
};

/** The server's health, asked as the environment's identity: a superuser's answer says `canBackup`. */
export function health(): RequestSpec {
  return { method: "GET", path: "/api/health", expect: "object" };
}

/** A short-lived token for protected files; the server answers `{ token }`. */
export function fileToken(): RequestSpec {
  return { method: "POST", path: "/api/files/token", expect: "token" };
}

/**
 * The download request: a GET whose answer is bytes, kept in memory or, with `to`, streamed to that
 * file. `token` is a file token (protected files); it is a secret, kept out of errors.
 */
export function downloadSpec(
  record: FileRecord,
  filename: string,
  options: { thumb?: string; to?: string; query?: Record<string, QueryValue> },
  token?: string,
): RequestSpec {
  const query = { ...options.query };
  if (options.thumb !== undefined) query.thumb = options.thumb;
  if (token !== undefined) query.token = token;
  return {
    method: "GET",
    path: filePath(record, filename),
    query,
    binary: options.to === undefined ? {} : { to: options.to },
    ...(token === undefined ? {} : { secrets: [token] }),
  };
}
