// The one interface both kinds implement. Each method is declared once, generic over the kind, so the
// sync and async collections cannot drift apart.
import type { FilterInput, FilterValue } from "./filter.ts";

export type Kind = "sync" | "async";
/** What a call returns: the value itself in the sync kind, a Promise of it in the async kind. */
export type Ret<K extends Kind, T> = K extends "sync" ? T : Promise<T>;
/** What an iteration returns: an iterator in the sync kind, an async iterator in the async kind. */
export type Iter<K extends Kind, T> = K extends "sync" ? IterableIterator<T> : AsyncIterableIterator<T>;

/** Fields every PocketBase record has. */
export interface BaseRecord {
  id: string;
  collectionId: string;
  collectionName: string;
  expand?: Record<string, unknown>;
  [field: string]: unknown;
}

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

/** Field values to write; `"field+"` / `"field-"` modifiers and files are allowed. */
export type RecordInput<R = BaseRecord> = { [K in keyof R]?: unknown } & Record<string, unknown>;

/** What `env.batch()` returns for each request, in input order. */
export interface BatchResult<T = unknown> {
  status: number;
  body: T;
}

export interface BatchRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  url: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface HealthResult {
  code: number;
  message: string;
  data: Record<string, unknown>;
}

/** The record API and the Map contract, declared once for both kinds. */
export interface Collection<K extends Kind, R extends BaseRecord = BaseRecord> {
  readonly name: string;

  list(options?: ListOptions): Ret<K, ListResult<R>>;
  getOne(id: string, options?: RecordOptions): Ret<K, R>;
  getFirst(options?: ListOptions): Ret<K, R>;
  getFullList(options?: IterateOptions): Ret<K, R[]>;
  iterate(options?: IterateOptions): Iter<K, R>;
  create(data: RecordInput<R> | string, options?: RecordOptions): Ret<K, R>;
  update(id: string, data: RecordInput<R> | string, options?: RecordOptions): Ret<K, R>;
  remove(id: string, options?: RequestOptions): Ret<K, void>;
  count(options?: CountOptions): Ret<K, number>;
  deleteMany(ids: readonly string[]): Ret<K, void>;

  get(id: string, options?: RecordOptions): Ret<K, R | undefined>;
  has(id: string): Ret<K, boolean>;
  set(id: string, data: RecordInput<R>): Ret<K, this>;
  delete(id: string): Ret<K, boolean>;
  keys(): Iter<K, string>;
  values(): Iter<K, R>;
  entries(): Iter<K, [string, R]>;
  forEach(callback: (record: R, id: string, collection: this) => unknown): Ret<K, void>;
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
export type CollectionOf<K extends Kind, R extends BaseRecord = BaseRecord> = Collection<K, R> &
  (K extends "sync" ? Iterable<[string, R]> : AsyncIterable<[string, R]>);

/** Maps collection names to their record types, for typed property access: `setup<Schema>()`. */
export type Schema = Record<string, BaseRecord>;
