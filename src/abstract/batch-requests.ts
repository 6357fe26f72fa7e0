// Batch requests as data: validated and split into their JSON part and their files before anything
// is sent, the /api/batch request of a chunk of them (JSON, or multipart when a request carries files),
// and the requests the *Many helpers and the builder describe. No I/O here.

import {
  type FilePart,
  Multipart,
  type MultipartPart,
  multipartBody,
  recordObject,
  splitFiles,
} from "./body.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import type { RequestSpec } from "./operations.ts";
import { recordPath, recordsPath } from "./operations.ts";
import { assertHeaders } from "./request-options.ts";
import type { BatchBuilder, BatchCollectionBuilder, BatchRequest, QueryValue } from "./types.ts";
import { assertJsonData, assertPlainObject } from "./validate.ts";

/**
 * What PocketBase's batch runs, and nothing else: record create, upsert, update and delete. Anything
 * else is refused before any request, so that the fallback for a server with batch disabled (single
 * requests) cannot run what batch itself would refuse.
 */
const RECORD_ACTIONS = [
  /^POST \/api\/collections\/[^/?]+\/records(\?.*)?$/,
  /^PUT \/api\/collections\/[^/?]+\/records(\?.*)?$/,
  /^PATCH \/api\/collections\/[^/?]+\/records\/[^/?]+(\?.*)?$/,
  /^DELETE \/api\/collections\/[^/?]+\/records\/[^/?]+(\?.*)?$/,
];

/** One batch request, checked and encoded. */
export interface PreparedRequest {
  method: BatchRequest["method"];
  url: string;
  /** The body without its files (undefined: no body). */
  body: Record<string, unknown> | undefined;
  headers: Record<string, string> | undefined;
  /** `{ method, url, body, headers }` as JSON text, files left out. */
  json: string;
  /** The files of the body. */
  files: FilePart[];
}

/**
 * Validates and encodes every request of a batch before any is sent, so that bad input in the last
 * chunk cannot leave the first chunks written.
 */
export function prepareBatchRequests(
  requests: readonly BatchRequest[],
  /** What errors call request `index`'s body: the caller's own name for it (`docs[3]`), by default `requests[3].body`. */
  bodyName: (index: number) => string = (index) => `requests[${index}].body`,
): PreparedRequest[] {
  if (!Array.isArray(requests)) throw new InvalidInputError("pocketmap: batch() takes an array of requests");
  return requests.map((request, index) => {
    const where = `requests[${index}]`;
    if (!request || typeof request !== "object")
      throw new InvalidInputError(`pocketmap: ${where} is not a request`);
    if (!["POST", "PUT", "PATCH", "DELETE"].includes(request.method)) {
      throw new InvalidInputError(`pocketmap: ${where}.method must be one of POST, PUT, PATCH, DELETE`);
    }
    if (typeof request.url !== "string" || !request.url.startsWith("/api/")) {
      throw new InvalidInputError(`pocketmap: ${where}.url must be a path starting with /api/`);
    }
    const action = `${request.method} ${request.url}`;
    if (!RECORD_ACTIONS.some((pattern) => pattern.test(action))) {
      throw new InvalidInputError(
        `pocketmap: ${where} (${request.method} ${request.url.split("?")[0]}) is not a record create, upsert, update or delete; PocketBase's batch runs only POST or PUT /api/collections/{collection}/records and PATCH or DELETE /api/collections/{collection}/records/{id}. Send anything else with env.send()`,
      );
    }
    let body: Record<string, unknown> | undefined;
    let files: PreparedRequest["files"] = [];
    if (request.body !== undefined && request.body !== null) {
      const name = bodyName(index);
      assertPlainObject(request.body, name);
      ({ rest: body, files } = splitFiles(request.body, name));
      // method and url are checked strings already; only the data needs the walk.
      assertJsonData(body, name);
    }
    if (request.headers !== undefined) assertHeaders(request.headers, `${where}.headers`);
    const json = JSON.stringify({ method: request.method, url: request.url, body, headers: request.headers });
    return { method: request.method, url: request.url, body, headers: request.headers, json, files };
  });
}

/**
 * One /api/batch request (one transaction on the server). With files it is multipart, as PocketBase
 * reads it: the requests as JSON in `@jsonPayload`, each file under `requests.N.field` where N is the
 * request's position in this chunk.
 */
export function batchSpec(chunk: readonly PreparedRequest[]): RequestSpec {
  const json = `{"requests":[${chunk.map((request) => request.json).join(",")}]}`;
  if (!chunk.some((request) => request.files.length > 0)) {
    return { method: "POST", path: "/api/batch", body: json, expect: "batch" };
  }
  const parts: MultipartPart[] = [["@jsonPayload", json]];
  chunk.forEach((request, n) => {
    for (const [field, file, name] of request.files) parts.push([`requests.${n}.${field}`, file, name]);
  });
  return { method: "POST", path: "/api/batch", body: new Multipart(parts), expect: "batch" };
}

/** The same request on its own (used when the server has batch disabled). */
export function singleSpec(
  request: PreparedRequest,
  body = request.body,
  files = request.files,
): RequestSpec {
  const [path = "", search = ""] = request.url.split("?");
  const query: Record<string, QueryValue> = Object.fromEntries(new URLSearchParams(search));
  let encoded: string | Multipart | undefined;
  if (files.length > 0) encoded = multipartBody(files, JSON.stringify(body ?? {}));
  else if (body !== undefined) encoded = JSON.stringify(body);
  // Batch requests are record writes (PocketBase's batch takes no other route): a record, or nothing.
  const expect = request.method === "DELETE" ? "empty" : "record";
  return { method: request.method, path, query, body: encoded, expect };
}

const UPSERT_URL = /^\/api\/collections\/(\w+)\/records(\?.*)?$/;

/** For a PUT upsert (a batch-only route): its collection and query, else undefined. */
export function upsertTarget(request: PreparedRequest): { collection: string; search: string } | undefined {
  if (request.method !== "PUT") return undefined;
  const match = UPSERT_URL.exec(request.url);
  return match ? { collection: match[1]!, search: match[2] ?? "" } : undefined;
}

/**
 * The record a request writes (`collection/id`), when it names one: an update or delete by its URL, a
 * create or upsert by the `id` in its body. Undefined for a create that lets the server pick the id.
 */
export function recordKey(request: PreparedRequest): string | undefined {
  const path = request.url.split("?")[0]!;
  if (request.method === "PATCH" || request.method === "DELETE") return path;
  const id = request.body?.id;
  return typeof id === "string" && id !== "" ? `${path}/${id}` : undefined;
}

/** The batch requests of record writes, as the *Many helpers and the builder describe them. */
export const recordRequests = {
  create(collection: string, data: unknown, what = "data"): BatchRequest {
    return { method: "POST", url: recordsPath(collection), body: recordObject(data, what) };
  },
  update(collection: string, id: string, data: unknown, what = "data"): BatchRequest {
    const body = recordObject(data, what);
    return { method: "PATCH", url: recordPath(collection, id), body };
  },
  /** PocketBase's batch upsert: updates the record with `data.id` when it exists, else creates it. */
  upsert(collection: string, data: unknown, what = "data"): BatchRequest {
    const body = recordObject(data, what);
    if (body.id !== undefined) recordPath(collection, body.id as string); // validates the id
    return { method: "PUT", url: recordsPath(collection), body };
  },
  delete(collection: string, id: string): BatchRequest {
    return { method: "DELETE", url: recordPath(collection, id) };
  },
};

/** Runs a builder function and returns the requests it described, in order. */
export function buildBatch(build: (b: BatchBuilder) => unknown): BatchRequest[] {
  const requests: BatchRequest[] = [];
  const forCollection = (name: string): BatchCollectionBuilder => {
    recordsPath(name); // validates the name now, where the mistake is
    const what = () => `batch request ${requests.length}`;
    return {
      create: (data) => void requests.push(recordRequests.create(name, data, what())),
      update: (id, data) => void requests.push(recordRequests.update(name, id, data, what())),
      upsert: (data) => void requests.push(recordRequests.upsert(name, data, what())),
      delete: (id) => void requests.push(recordRequests.delete(name, id)),
    };
  };
  const builder = new Proxy({} as BatchBuilder, {
    get(_, property) {
      if (property === "collection") return forCollection;
      if (typeof property !== "string" || property === "then") return undefined;
      return forCollection(property);
    },
  });
  const returned = build(builder);
  if (returned && typeof (returned as { then?: unknown }).then === "function") {
    throw new InvalidInputError(
      "pocketmap: the batch builder function must be synchronous: it only describes requests, env.batch() sends them",
    );
  }
  return requests;
}
