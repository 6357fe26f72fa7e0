// The sync kind hands each call to its worker by structured clone, which would change bad input
// before the worker's checks see it: a function or a symbol makes the clone fail (a DataCloneError),
// a class instance arrives as a plain object, a symbol key is dropped and an object's toJSON method is
// lost. So the sync kind's main thread runs the same checks as the async kind, on the arguments as the
// caller gave them, before cloning: both kinds then refuse the same input with the same
// InvalidInputError, and the worker is only ever given plain data.

import { prepareBatchRequests, recordRequests } from "./batch-requests.ts";
import { holdsFiles } from "./body.ts";
import { collections, iterateOptions, recordPath, records, sendSpec } from "./operations.ts";
import { firstOptions } from "./request-options.ts";
import type { TargetPath } from "./surface.ts";
import type { BatchRequest, ListOptions } from "./types.ts";
import { assertJsonData, assertPlainObject, assertRecordId, isPlainObject } from "./validate.ts";

/** `value` as JSON would send it, when it holds an object with a toJSON method a clone would lose. */
function asJson(value: unknown, key = ""): unknown {
  if (value === null || typeof value !== "object" || !assertJsonData(value)) return value;
  const text = JSON.stringify({ [key]: value });
  return (JSON.parse(text) as Record<string, unknown>)[key];
}

/** Record data with every non-file field as JSON would send it (files cross as they are). */
function recordData(data: unknown): unknown {
  if (!isPlainObject(data)) return data;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    out[field] = holdsFiles(value) ? value : asJson(value, field);
    if (out[field] !== value) changed = true;
  }
  return changed ? out : data;
}

function collectionCall(collection: string, method: string, args: unknown[]): unknown[] {
  const [first, second, third] = args as [never, never, never];
  switch (method) {
    case "list":
      records.list(collection, first);
      return args;
    case "getOne":
    case "get":
      records.getOne(collection, first, second);
      return args;
    case "getFirst":
      records.list(collection, firstOptions<ListOptions>(first));
      return args;
    case "getFullList":
    case "iterate":
      iterateOptions(first);
      return args;
    case "create":
      records.create(collection, first, second);
      return [recordData(first), ...args.slice(1)];
    case "update":
      records.update(collection, first, second, third);
      return [first, recordData(second), ...args.slice(2)];
    case "set":
      assertRecordId(first);
      assertPlainObject(second, "data");
      records.update(collection, first, second);
      return [first, recordData(second), ...args.slice(2)];
    case "remove":
      records.remove(collection, first, second);
      return args;
    case "delete":
      records.remove(collection, first);
      return args;
    case "has":
      records.exists(collection, first);
      return args;
    case "count":
      records.count(collection, first);
      return args;
    case "deleteMany":
      // A non-array is refused by the worker, as by the async kind.
      if (Array.isArray(first)) for (const id of first as unknown[]) recordPath(collection, id as string);
      return args;
    case "createMany":
    case "upsertMany":
    case "updateMany": {
      // The async kind's checks, then each doc as JSON would send it (files cross as they are).
      if (!Array.isArray(first)) return args;
      const docs = first as unknown[];
      docs.forEach((doc, i) => {
        if (method === "updateMany") {
          assertPlainObject(doc, `patches[${i}]`);
          const { id, ...rest } = doc;
          if (id !== undefined) {
            const request = recordRequests.update(collection, id as string, rest, `patches[${i}]`);
            prepareBatchRequests([request], () => `patches[${i}]`);
          }
        } else {
          const request = (method === "createMany" ? recordRequests.create : recordRequests.upsert)(
            collection,
            doc,
            `docs[${i}]`,
          );
          prepareBatchRequests([request], () => `docs[${i}]`);
        }
      });
      return [docs.map((doc) => recordData(doc)), ...args.slice(1)];
    }
    default:
      return args;
  }
}

function environmentCall(method: string, args: unknown[]): unknown[] {
  const [first, second] = args as [never, never];
  switch (method) {
    case "has":
      collections.getOne(first);
      return args;
    case "delete":
      collections.remove(first);
      return args;
    case "createCollection":
      collections.create(first);
      return [asJson(first), ...args.slice(1)];
    case "batch": {
      prepareBatchRequests(first);
      // Bodies may hold files, which cross as they are; every other value as JSON would send it.
      const requests = (first as BatchRequest[]).map((request) =>
        request.body === undefined
          ? asJson(request)
          : { ...(asJson({ ...request, body: {} }) as object), body: recordData(request.body) },
      );
      return [requests, ...args.slice(1)];
    }
    case "send": {
      sendSpec(first, second);
      const options = second as { body?: unknown } | undefined;
      if (options?.body === undefined) return args;
      return [first, { ...options, body: asJson(options.body, "body") }, ...args.slice(2)];
    }
    default:
      return args;
  }
}

/**
 * Checks a sync-kind call on the main thread, exactly as the async kind checks it, and returns its
 * arguments ready for structured clone. Throws the InvalidInputError the async kind would throw.
 */
export function checkForwardedCall(target: TargetPath, method: string, args: unknown[]): unknown[] {
  // Services and auth flows build their requests from plain arguments the clone keeps as they are;
  // the worker's checks (the async kind's) see them unchanged.
  if (target.service !== undefined || target.auth) return args;
  return target.collection === undefined
    ? environmentCall(method, args)
    : collectionCall(target.collection, method, args);
}
