// The superuser services' requests, described as data (as operations.ts describes the record API).
import { collectionPath, type RequestSpec } from "./operations.ts";
import type { QueryValue } from "./types.ts";
import { toJsonBody } from "./validate.ts";

export const collections = {
  list(query?: Record<string, QueryValue>): RequestSpec {
    return { method: "GET", path: "/api/collections", query, expect: "list" };
  },
  getOne(name: string, query?: Record<string, QueryValue>): RequestSpec {
    return { method: "GET", path: collectionPath(name), query, expect: "object" };
  },
  create(body: Record<string, unknown>, query?: Record<string, QueryValue>): RequestSpec {
    return {
      method: "POST",
      path: "/api/collections",
      query,
      body: toJsonBody(body, "collection"),
      expect: "object",
    };
  },
  update(name: string, body: Record<string, unknown>, query?: Record<string, QueryValue>): RequestSpec {
    return {
      method: "PATCH",
      path: collectionPath(name),
      query,
      body: toJsonBody(body, "patch"),
      expect: "object",
    };
  },
  remove(name: string, query?: Record<string, QueryValue>): RequestSpec {
    return { method: "DELETE", path: collectionPath(name), query, expect: "empty" };
  },
  import(
    models: readonly Record<string, unknown>[],
    deleteMissing: boolean,
    query?: Record<string, QueryValue>,
  ): RequestSpec {
    return {
      method: "PUT",
      path: "/api/collections/import",
      query,
      body: toJsonBody({ collections: models, deleteMissing }, "models"),
      expect: "empty",
    };
  },
  truncate(name: string, query?: Record<string, QueryValue>): RequestSpec {
    return { method: "DELETE", path: `${collectionPath(name)}/truncate`, query, expect: "empty" };
  },
  scaffolds(query?: Record<string, QueryValue>): RequestSpec {
    return { method: "GET", path: "/api/collections/meta/scaffolds", query, expect: "object" };
  },
};

export const logs = {
  list(query: Record<string, QueryValue>): RequestSpec {
    return { method: "GET", path: "/api/logs", query, expect: "list" };
  },
  getOne(id: string, query?: Record<string, QueryValue>): RequestSpec {
    return { method: "GET", path: `/api/logs/${encodeURIComponent(id)}`, query, expect: "record" };
  },
  stats(query: Record<string, QueryValue>): RequestSpec {
    return { method: "GET", path: "/api/logs/stats", query, expect: "array" };
  },
};

export const crons = {
  list(query?: Record<string, QueryValue>): RequestSpec {
    return { method: "GET", path: "/api/crons", query, expect: "array" };
  },
  run(id: string, query?: Record<string, QueryValue>): RequestSpec {
    return { method: "POST", path: `/api/crons/${encodeURIComponent(id)}`, query, expect: "empty" };
  },
};

export function sql(query: string, params?: Record<string, QueryValue>): RequestSpec {
  return {
    method: "POST",
    path: "/api/sql",
    query: params,
    body: toJsonBody({ query }, "query"),
    expect: "object",
  };
}

/** The first release of PocketBase that has each optional API, for the error an older server gets. */
export const SINCE = {
  crons: "0.24",
  sql: "0.39",
} as const;
