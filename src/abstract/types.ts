// The one interface both kinds implement. Each method is declared once, generic over the kind, so the
// sync and async collections cannot drift apart.
import type { FilterInput, FilterValue } from "./filter.ts";

export type Kind = "sync" | "async";
/** What a call returns: the value itself in the sync kind, a Promise of it in the async kind. */
export type Ret<K extends Kind, T> = K extends "sync" ? T : Promise<T>;
/** What an iteration returns: an iterator in the sync kind, an async iterator in the async kind. */
export type Iter<K extends Kind, T> = K extends "sync" ? IterableIterator<T> : AsyncIterableIterator<T>;

/**
 * The fields PocketBase adds to every record. `created` and `updated` are optional: they are ordinary
 * autodate fields that a collection may lack.
 */
export interface SystemFields {
  id: string;
  collectionId: string;
  collectionName: string;
  created?: string;
  updated?: string;
  expand?: Record<string, unknown>;
}

/** A record of an untyped collection: the system fields and any others. */
export interface BaseRecord extends SystemFields {
  [field: string]: unknown;
}

/**
 * What a read returns for record type `T`: `T` (a plain interface such as
 * `interface Post { title: string }` is enough) with the system fields added.
 */
export type RecordOf<T extends object> = T & SystemFields;

/** A page of records. */
export interface ListResult<R> {
  page: number;
  perPage: number;
  /** -1 when `skipTotal` was set. */
  totalItems: number;
  /** -1 when `skipTotal` was set. */
  totalPages: number;
  items: R[];
}

export type QueryValue = string | number | boolean | null | undefined;

/** Options every call takes. */
export interface RequestOptions {
  /** Abort the request (async kind only: a signal cannot cross to the sync worker). */
  signal?: AbortSignal;
  /** Per-request timeout in milliseconds, overriding the environment's. */
  timeout?: number;
  /** Extra headers for this request. */
  headers?: Record<string, string>;
  /** Extra query parameters. */
  query?: Record<string, QueryValue>;
}

export interface RecordOptions extends RequestOptions {
  /** Relations to expand, e.g. `"author,comments.user"`; at most 6 levels deep. */
  expand?: string | readonly string[];
  /** Fields to return, e.g. `"id,title"`. */
  fields?: string | readonly string[];
}

export interface FilterOptions {
  /** A PocketBase filter string, or an object of equalities. */
  filter?: FilterInput;
  /** Values for `{:name}` placeholders in a filter string; always escaped. */
  params?: Record<string, FilterValue>;
}

export interface ListOptions extends RecordOptions, FilterOptions {
  /** e.g. `"-created,title"`. */
  sort?: string | readonly string[];
  page?: number;
  perPage?: number;
  /** Skip counting (faster); totalItems and totalPages are then -1. */
  skipTotal?: boolean;
}

export interface IterateOptions extends RecordOptions, FilterOptions {
  sort?: string | readonly string[];
  /** Records fetched per request (default 1000, PocketBase's maximum). */
  pageSize?: number;
}

export interface CountOptions extends RequestOptions, FilterOptions {}

/** A file to upload: a Blob or File, or bytes (Buffer, Uint8Array). */
export type FileInput = Blob | Uint8Array;

type Element<V> = V extends readonly (infer E)[] ? E : V;

/**
 * Field values to write to a collection of record type `T`: its fields (a file, or several, wherever a
 * field holds file names), the `"field+"` / `"+field"` / `"field-"` modifiers of those fields, `id` on
 * create, and an auth collection's `password` / `passwordConfirm` / `oldPassword`. Any other name is a
 * compile-time error. A collection without a type (`BaseRecord`, with its index signature) takes any
 * field.
 */
export type RecordInput<T extends object = BaseRecord> = string extends keyof T
  ? Record<string, unknown>
  : TypedRecordInput<T>;

/** What a typed collection accepts; see `RecordInput`. */
export type TypedRecordInput<T> = {
  [K in keyof T & string]?: T[K] | null | FileInput | readonly FileInput[];
} & {
  [K in keyof T & string as `${K}+` | `+${K}` | `${K}-`]?:
    | Element<T[K]>
    | readonly Element<T[K]>[]
    | FileInput
    | readonly FileInput[];
} & {
  id?: string;
  password?: string;
  passwordConfirm?: string;
  oldPassword?: string;
};

/** What `env.batch()` returns for each request, in input order. */
export interface BatchResult<T = unknown> {
  status: number;
  body: T;
}

export interface BatchRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  url: string;
  /** Field values; files (Blob, File, Buffer) among them make the chunk multipart. */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** How far a batch job has got: `done` of `total` inputs answered. */
export interface BatchProgress {
  done: number;
  total: number;
}

/** Options of `env.batch()` and of the *Many helpers. */
export interface BatchOptions {
  /**
   * All or nothing: refuse, before writing anything, input that does not fit one transaction (the
   * server's batch.maxRequests), or a server with batch disabled.
   */
  atomic?: boolean;
  /**
   * Called as the job moves (after each chunk; every few records when batch is disabled). In the sync
   * kind it runs on the calling thread, while the call blocks. A throw does not stop the job: the first
   * one is rethrown when the job ends.
   */
  onProgress?: (progress: BatchProgress) => void;
}

export interface HealthResult {
  code: number;
  message: string;
  data: Record<string, unknown>;
}

/**
 * The record API and the Map contract, declared once for both kinds. `T` is the record type (any object
 * type; pocketmap adds the system fields): reads return `RecordOf<T>`, writes take `RecordInput<T>`.
 */
export interface Collection<K extends Kind, T extends object = BaseRecord> {
  readonly name: string;

  list(options?: ListOptions): Ret<K, ListResult<RecordOf<T>>>;
  getOne(id: string, options?: RecordOptions): Ret<K, RecordOf<T>>;
  getFirst(options?: ListOptions): Ret<K, RecordOf<T>>;
  getFullList(options?: IterateOptions): Ret<K, RecordOf<T>[]>;
  iterate(options?: IterateOptions): Iter<K, RecordOf<T>>;
  create(data: RecordInput<T> | string, options?: RecordOptions): Ret<K, RecordOf<T>>;
  update(id: string, data: RecordInput<T> | string, options?: RecordOptions): Ret<K, RecordOf<T>>;
  remove(id: string, options?: RequestOptions): Ret<K, void>;
  count(options?: CountOptions): Ret<K, number>;
  /** Creates records through /api/batch, chunked; the new records, in input order. */
  createMany(docs: readonly (RecordInput<T> | string)[], options?: BatchOptions): Ret<K, RecordOf<T>[]>;
  /** Partial updates, each with its record's `id`; the updated records, in input order. */
  updateMany(
    patches: readonly (RecordInput<T> & { id: string })[],
    options?: BatchOptions,
  ): Ret<K, RecordOf<T>[]>;
  /** Updates each record whose `id` exists, creates the others; the records, in input order. */
  upsertMany(docs: readonly RecordInput<T>[], options?: BatchOptions): Ret<K, RecordOf<T>[]>;
  /** Deletes by id: per id, `true` if it existed and is now gone, `false` if it did not exist (as `delete`). */
  deleteMany(ids: readonly string[], options?: BatchOptions): Ret<K, boolean[]>;

  get(id: string, options?: RecordOptions): Ret<K, RecordOf<T> | undefined>;
  has(id: string): Ret<K, boolean>;
  set(id: string, data: RecordInput<T>): Ret<K, this>;
  delete(id: string): Ret<K, boolean>;
  keys(): Iter<K, string>;
  values(): Iter<K, RecordOf<T>>;
  entries(): Iter<K, [string, RecordOf<T>]>;
  forEach(callback: (record: RecordOf<T>, id: string, collection: this) => unknown): Ret<K, void>;
  size(): Ret<K, number>;
  clear(): Ret<K, void>;
}

/** Events an environment emits (through emittery). */
export interface EnvironmentEvents {
  created: { collection: string; record: BaseRecord };
  updated: { collection: string; record: BaseRecord };
  deleted: { collection: string; id: string };
  "collection:created": { name: string };
  "collection:deleted": { name: string };
  auth: { collection: string; id: string };
  request: { method: string; path: string; status: number; ms: number };
}

/** A collection of either kind, with its iteration protocol. */
export type CollectionOf<K extends Kind, T extends object = BaseRecord> = Collection<K, T> &
  (K extends "sync" ? Iterable<[string, RecordOf<T>]> : AsyncIterable<[string, RecordOf<T>]>);

/**
 * Maps collection names to their record types, for typed property access: `setup<{ posts: Post }>()`.
 * `Schema` itself is the untyped default; any object type whose members are object types is a schema
 * (see `SchemaOf`), plain interfaces included.
 */
export type Schema = Record<string, BaseRecord>;

/**
 * The constraint a schema `S` meets: each of its members is an object type. Written over `keyof S`
 * rather than as `Record<string, object>`, so that interfaces (which have no index signature) qualify.
 */
export type SchemaOf<S> = { [N in keyof S]: object };

// The published types name Symbol.dispose, Symbol.asyncDispose, Disposable and AsyncDisposable (the
// environments' `using` support, and emittery's types). TypeScript declares them only in its
// esnext.disposable / es2025 libraries, which a consumer on an older target may lack; declared here
// too, in the same shape, so the .d.ts compiles on its own (the declarations merge with the library's
// when it is present).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
  interface Disposable {
    [Symbol.dispose](): void;
  }
  interface AsyncDisposable {
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
}
