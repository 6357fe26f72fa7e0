// What each parameter of a public method is, declared once in the method tables (surface.ts). One
// declaration drives both the check, which both kinds run before anything else (the async kind in a
// guard around each method, the sync kind on the calling thread before anything crosses), and how a
// checked value crosses to the sync kind's worker. The invariant every kind of parameter keeps: a
// value its check accepts crosses faithfully (it means the same thing on the other side), so the two
// kinds cannot disagree on any input. No I/O here.

import { asIdentity } from "./auth-operations.ts";
import { buildBatch, prepareBatchRequests, recordRequests } from "./batch-requests.ts";
import { holdsFiles, recordObject, splitFiles } from "./body.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import { crossFiles, reviveFiles } from "./file-crossing.ts";
import {
  checkOptions,
  type OptionCheck,
  type OptionKind,
  type OptionTypes,
  optionChecks,
} from "./option-checks.ts";
import { recordTopic, topicString } from "./realtime.ts";
import type { BatchBuilder, BatchRequest, IdentityInput, RecordInput } from "./types.ts";
import {
  assertCollectionName,
  assertJsonData,
  assertPlainObject,
  assertRecordId,
  describe,
  isPlainObject,
} from "./validate.ts";

/** Which call a parameter belongs to, for its check and its errors. */
export interface CallContext {
  /** The call as errors name it: `"getOne()"`, `"auth.withPassword()"`, `"admin.collections.get()"`. */
  where: string;
  /** The collection of a collection's (or its auth namespace's) method. */
  collection?: string | undefined;
}

/**
 * How a function crosses to the sync worker, as a stand-in the worker turns back into a function:
 * - `call`: the worker calls it and waits for its answer (hooks);
 * - `notify`: the worker tells the calling thread to run it while the call blocks (progress);
 * - `push`: the worker pushes its arguments to be run when the calling thread is free (realtime).
 */
export type CallbackMode = "call" | "notify" | "push";

/** A function's stand-in on the worker's side: only read where a table declares a function. */
export interface CallbackRef {
  ref: number;
  mode: CallbackMode;
}

/** What crossing a value needs from the sync kind: a place to keep its functions. */
export type KeepCallback = (fn: (...args: never[]) => unknown, mode: CallbackMode) => CallbackRef;
/** What the worker turns stand-ins back into. */
export type ReviveCallback = (ref: CallbackRef) => (...args: unknown[]) => unknown;

/**
 * One parameter: `A` is the type the method declares for it (checked against the interface at
 * compile time, see surface.ts), `O` whether it may be left out.
 */
export interface Param<A = unknown, O extends boolean = boolean> {
  readonly name: string;
  readonly optional: O;
  /** The value as the implementation takes it, before the check (both kinds): e.g. a builder run. */
  prepare?(value: unknown, context: CallContext): unknown;
  /** Throws an InvalidInputError unless `value` fits (it is never `undefined` for an optional one). */
  check(value: unknown, context: CallContext): void;
  /** A checked value as plain data for the worker (default: as it is), functions kept by `keep`. */
  cross?(value: unknown, keep: KeepCallback): unknown;
  /** In the worker: a crossed value back as the implementation takes it (default: as it is). */
  revive?(value: unknown, revive: ReviveCallback): unknown;
  /** Options: which interface of the options registry (option-checks.ts) they are. */
  readonly optionKind?: OptionKind;
  /** Compile-time only: the declared type (in a form only an identical type is assignable to). */
  readonly type?: <T>() => T extends A ? 1 : 2;
}

/** Any parameter declaration (the type is invariant in `A`, so `unknown` would not do). */
// biome-ignore lint/suspicious/noExplicitAny: the widest declaration, for lists of them
export type AnyParam = Param<any, boolean>;

type Spec = Omit<Param, "name" | "optional" | "type">;

function param<A, O extends boolean = false>(name: string, spec: Spec, optional?: O): Param<A, O> {
  return { name, optional: (optional ?? false) as O, ...spec };
}

/** The same parameter, optional. */
export function optional<A>(p: Param<A, false>): Param<A, true> {
  return { ...p, optional: true };
}

// Crossing helpers: JSON data as JSON would send it (a toJSON method runs here, on the caller's
// thread, as it would in the async kind; a structured clone would drop it), files as they are.

/** `value` as JSON would send it, when it holds an object with a toJSON method a clone would lose. */
export function asJson(value: unknown, key = ""): unknown {
  if (value === null || typeof value !== "object" || !assertJsonData(value)) return value;
  const text = JSON.stringify({ [key]: value });
  return (JSON.parse(text) as Record<string, unknown>)[key];
}

/** Record data with every non-file field as JSON would send it (files cross as they are). */
export function recordData(data: unknown): unknown {
  if (!isPlainObject(data)) return data;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    out[field] = holdsFiles(value) ? value : asJson(value, field);
    if (out[field] !== value) changed = true;
  }
  return changed ? out : data;
}

/** Record data (an object or JSON text; files anywhere a field holds them), as a write sends it. */
export function assertRecordData(data: unknown, what: string): void {
  const object = recordObject(data, what);
  if (typeof data === "string") return;
  assertJsonData(splitFiles(object, what).rest, what);
}

/** The inputs of a bulk call as an array (any iterable but a string). */
function inputList(value: unknown, context: CallContext): unknown[] {
  if (typeof value !== "object" || value === null || !(Symbol.iterator in value)) {
    throw new InvalidInputError(`pocketmap: ${context.where} takes an array`);
  }
  return Array.isArray(value) ? value : [...(value as Iterable<unknown>)];
}

const asArray = (value: unknown) => (Array.isArray(value) ? value : [...(value as Iterable<unknown>)]);

/** A record id. */
export const id = param<string>("id", { check: (value) => assertRecordId(value) });

/** A collection name (or id). */
export const collectionName = param<string>("name", { check: (value) => assertCollectionName(value) });

/** A non-empty string, named in errors. */
export function text(name: string): Param<string, false> {
  return param<string>(name, {
    check(value) {
      if (typeof value !== "string" || value === "") {
        throw new InvalidInputError(`pocketmap: ${name} must be a non-empty string`);
      }
    },
  });
}

/** Any string, the empty one included. */
export function string(name: string): Param<string, false> {
  return param<string>(name, {
    check(value) {
      if (typeof value !== "string") {
        throw new InvalidInputError(`pocketmap: ${name} must be a string, got ${describe(value)}`);
      }
    },
  });
}

/** A token to act with or renew: a non-empty string without whitespace. */
export const token = param<string>("token", {
  check(value, context) {
    if (typeof value !== "string" || value === "" || /\s/.test(value)) {
      throw new InvalidInputError(`pocketmap: ${context.where} takes the token to refresh`);
    }
  },
});

/** A whole number of seconds, 0 or more. */
export function seconds(name: string): Param<number, true> {
  return param<number, true>(
    name,
    {
      check(value) {
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
          throw new InvalidInputError(
            `pocketmap: ${name} must be a whole number of seconds (0: the default)`,
          );
        }
      },
    },
    true,
  );
}

/** An endpoint path of `env.send()`. */
export const path = param<string>("path", {
  check(value, context) {
    if (typeof value !== "string" || !value.startsWith("/")) {
      throw new InvalidInputError(
        `pocketmap: ${context.where} takes a path starting with "/", got ${describe(value)}`,
      );
    }
  },
});

/** A realtime topic of the environment: any topic string. */
export const topic = param<string>("topic", { check: (value) => void topicString(value as string) });

/** A record topic of a collection: `"*"` or a record id. */
export const recordTopicParam = param<string>("topic", {
  check: (value, context) => void recordTopic(context.collection ?? "", value),
});

/** Record data as it crosses: JSON fields as JSON sends them, fileFrom values as their path (file-crossing.ts). */
const crossRecord = (value: unknown) => crossFiles(recordData(value));
const crossData = { cross: crossRecord, revive: reviveFiles };

/** Record data to write: an object (files among its fields) or JSON text. */
export const data = param<RecordInput | string>("data", {
  check: (value) => assertRecordData(value, "data"),
  ...crossData,
});

/** Record data as an object only (`set`). */
export const record = param<RecordInput>("data", {
  check(value) {
    assertPlainObject(value, "data");
    assertRecordData(value, "data");
  },
  ...crossData,
});

/** A JSON object (a collection model). */
export function json(name: string): Param<Record<string, unknown>, false> {
  return param<Record<string, unknown>>(name, {
    check(value) {
      assertPlainObject(value, name);
      assertJsonData(value, name);
    },
    cross: (value) => asJson(value, name),
  });
}

/** JSON objects (collection models to import), any iterable of them; crosses as an array. */
export const models = param<readonly Record<string, unknown>[]>("models", {
  check(value, context) {
    inputList(value, context).forEach((model, i) => {
      assertPlainObject(model, `models[${i}]`);
      assertJsonData(model, `models[${i}]`);
    });
  },
  cross: (value) => asArray(value).map((model, i) => asJson(model, `models[${i}]`)),
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const UNSAFE_IN_SEGMENT = /[/?#\\\u0000-\u001f\u007f]/;

/**
 * One segment of an endpoint's path (a log id, a cron job's id): a non-empty string, not `.` or `..`,
 * without `/`, `?`, `#`, `\` or control characters, so that it can only name that one thing.
 */
export function segment(name: string): Param<string, false> {
  return param<string>(name, {
    check(value, context) {
      const bad =
        typeof value !== "string" || value === "." || value === ".." || UNSAFE_IN_SEGMENT.test(value);
      if (bad || value === "") {
        throw new InvalidInputError(
          `pocketmap: ${context.where} takes ${name} as a non-empty string other than "." and ".." without "/", "?", "#", "\\" or control characters, got ${describe(value)}`,
        );
      }
    },
  });
}

/** Bulk inputs are checked as the batch job checks them, request by request, naming the caller's input. */
function bulk<A>(
  name: "docs" | "patches" | "ids",
  build: (item: unknown, collection: string, what: string) => BatchRequest,
): Param<A, false> {
  return param<A>(name, {
    check(value, context) {
      const collection = context.collection ?? "";
      inputList(value, context).forEach((item, i) => {
        const what = `${name}[${i}]`;
        prepareBatchRequests([build(item, collection, what)], () => what);
      });
    },
    cross: (value) => (name === "ids" ? asArray(value) : asArray(value).map(crossRecord)),
    revive: (value) => (name === "ids" ? value : (value as unknown[]).map(reviveFiles)),
  });
}

/** Records to create (`createMany`): objects or JSON text. */
export const docs = bulk<readonly (RecordInput | string)[]>("docs", (doc, collection, what) =>
  recordRequests.create(collection, doc, what),
);

/** Records to upsert (`upsertMany`): objects, each updated when its `id` exists. */
export const upsertDocs = bulk<readonly RecordInput[]>("docs", (doc, collection, what) =>
  recordRequests.upsert(collection, doc, what),
);

/** Partial updates, each with its record's `id` (`updateMany`). */
export const patches = bulk<readonly (RecordInput & { id: string })[]>(
  "patches",
  (patch, collection, what) => {
    assertPlainObject(patch, what);
    const { id: recordId, ...rest } = patch;
    if (recordId === undefined) throw new InvalidInputError(`pocketmap: ${what} has no id`);
    return recordRequests.update(collection, recordId as string, rest, what);
  },
);

/** Record ids (`deleteMany`). */
export const ids = bulk<readonly string[]>("ids", (recordId, collection) =>
  recordRequests.delete(collection, recordId as string),
);

/**
 * `env.batch()`'s requests, raw or described by a builder. The builder runs on the caller's thread in
 * both kinds (prepare): what crosses, and what the implementation gets, is the requests it described.
 */
export const requests = param<readonly BatchRequest[] | ((b: BatchBuilder) => void)>("requests", {
  prepare: (value) => (typeof value === "function" ? buildBatch(value as (b: BatchBuilder) => void) : value),
  check: (value) => void prepareBatchRequests(value as readonly BatchRequest[]),
  cross: (value) =>
    (value as BatchRequest[]).map((request) =>
      request.body === undefined
        ? asJson(request)
        : { ...(asJson({ ...request, body: {} }) as object), body: crossRecord(request.body) },
    ),
  revive: (value) =>
    (value as BatchRequest[]).map((request) =>
      request.body === undefined ? request : { ...request, body: reviveFiles(request.body) as never },
    ),
});

/** A function the call runs: on the caller's thread in the sync kind, pushed to it when it is free. */
export function callback(name: string): AnyParam & { readonly optional: false; readonly isCallback: true } {
  return {
    isCallback: true,
    ...param<unknown>(name, {
      check(value, context) {
        if (typeof value !== "function") {
          throw new InvalidInputError(
            `pocketmap: ${context.where} takes a callback function as ${name}, got ${describe(value)}`,
          );
        }
      },
      cross: (value, keep) => keep(value as (...args: never[]) => unknown, "push"),
      revive: (value, revive) => revive(value as CallbackRef),
    }),
  };
}

/** An identity for `env.as()`: a token, or a login's result. */
export const identity = param<IdentityInput>("identity", {
  check: (value) => void asIdentity(value as IdentityInput),
});

/** Options of a named kind (option-checks.ts): every key checked; callbacks cross as stand-ins. */
export function options<K extends OptionKind>(kind: K): Param<OptionTypes[K], true> {
  const checks = optionChecks[kind] as Readonly<Record<string, OptionCheck>>;
  return param<OptionTypes[K], true>(
    "options",
    {
      optionKind: kind,
      check: (value, context) => checkOptions(kind, value, context.where),
      cross(value, keep) {
        if (value === null || typeof value !== "object") return value;
        let out: Record<string, unknown> | undefined;
        for (const [key, item] of Object.entries(value)) {
          if (item === undefined) continue;
          const found = checks[key];
          if (found?.asyncOnly) throw new InvalidInputError(`pocketmap: ${found.asyncOnly}`);
          if (found?.callback) {
            out ??= { ...(value as Record<string, unknown>) };
            out[key] = keep(item as (...args: never[]) => unknown, "notify");
          } else if (key === "body") {
            out ??= { ...(value as Record<string, unknown>) };
            out[key] = asJson(item, key);
          }
        }
        return out ?? value;
      },
      revive(value, revive) {
        if (value === null || typeof value !== "object") return value;
        let out: Record<string, unknown> | undefined;
        for (const [key, item] of Object.entries(value)) {
          if (checks[key]?.callback && item !== undefined) {
            out ??= { ...(value as Record<string, unknown>) };
            out[key] = revive(item as CallbackRef);
          }
        }
        return out ?? value;
      },
    },
    true,
  );
}

/**
 * Prepares and checks a call's arguments by its parameters, as both kinds do before anything else;
 * returns the arguments as the implementation takes them.
 */
export function checkArguments(
  params: readonly AnyParam[],
  args: unknown[],
  context: CallContext,
): unknown[] {
  let out = args;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    let value = args[i];
    if (p.prepare !== undefined) {
      value = p.prepare(value, context);
      if (out === args) out = [...args];
      out[i] = value;
    }
    if (value === undefined && p.optional) continue;
    p.check(value, context);
  }
  return out;
}

/** Checked arguments as they cross to the sync worker. */
export function crossArguments(
  params: readonly AnyParam[],
  args: readonly unknown[],
  keep: KeepCallback,
): unknown[] {
  return args.map((value, i) => {
    const p = params[i];
    return p?.cross !== undefined && value !== undefined ? p.cross(value, keep) : value;
  });
}

/** In the worker: crossed arguments back as the implementation takes them. */
export function reviveArguments(
  params: readonly AnyParam[],
  args: readonly unknown[],
  revive: ReviveCallback,
): unknown[] {
  return args.map((value, i) => {
    const p = params[i];
    return p?.revive !== undefined && value !== undefined ? p.revive(value, revive) : value;
  });
}
