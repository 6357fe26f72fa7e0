// The superuser services under `env.admin`, declared once for both kinds (as types.ts declares the
// record API). Each service is an interface here, a table in surface.ts and an async class.
import type {
  CountOptions,
  Iter,
  IterateOptions,
  Kind,
  ListOptions,
  ListResult,
  RequestOptions,
  Ret,
} from "./types.ts";

/** A field of a collection's model (`{ name, type, … }`, the other keys by field type). */
export interface CollectionField {
  id?: string;
  name: string;
  type: string;
  [key: string]: unknown;
}

/** A collection's model as PocketBase returns it from /api/collections. */
export interface CollectionModel {
  id: string;
  name: string;
  /** `"base"`, `"auth"` or `"view"`. */
  type: string;
  fields: CollectionField[];
  /** `null`: superusers only; `""`: everyone; else a filter. */
  listRule?: string | null;
  viewRule?: string | null;
  createRule?: string | null;
  updateRule?: string | null;
  deleteRule?: string | null;
  indexes?: string[];
  system?: boolean;
  [key: string]: unknown;
}

/** The blank model of each collection type (`base`, `auth`, `view`), as the dashboard starts from. */
export type CollectionScaffolds = Record<string, CollectionModel>;

/** Options of `admin.collections.import()`. */
export interface ImportOptions extends RequestOptions {
  /** Also delete the collections (and their records) that `models` does not name. Default false. */
  deleteMissing?: boolean;
}

/** `env.admin.collections`: the collections' models (superuser). */
export interface AdminCollections<K extends Kind> {
  /** A page of collection models. */
  list(options?: ListOptions): Ret<K, ListResult<CollectionModel>>;
  /** The model of the collection with this name or id, or `undefined` when there is none. */
  get(nameOrId: string, options?: RequestOptions): Ret<K, CollectionModel | undefined>;
  /** Creates a collection from a model (`{ name, type, fields, … }`); returns the stored model. */
  create(model: Record<string, unknown>, options?: RequestOptions): Ret<K, CollectionModel>;
  /** Changes a collection (a partial model, e.g. `{ listRule: "" }`); returns the stored model. */
  update(nameOrId: string, patch: Record<string, unknown>, options?: RequestOptions): Ret<K, CollectionModel>;
  /** Drops a collection and its records: `true` if it existed, `false` if there was none. */
  delete(nameOrId: string, options?: RequestOptions): Ret<K, boolean>;
  /**
   * Creates or replaces collections from models (e.g. another server's `list()`), in one transaction;
   * with `deleteMissing`, drops the collections the models do not name.
   */
  import(models: readonly Record<string, unknown>[], options?: ImportOptions): Ret<K, void>;
  /** Deletes every record of a collection, keeping the collection. */
  truncate(nameOrId: string, options?: RequestOptions): Ret<K, void>;
  /** A blank model of each collection type, keyed by type. */
  scaffolds(options?: RequestOptions): Ret<K, CollectionScaffolds>;
}

/** One entry of PocketBase's request and app log. */
export interface LogModel {
  id: string;
  created: string;
  /** -4 debug, 0 info, 4 warn, 8 error. */
  level: number;
  message: string;
  data: Record<string, unknown>;
  [key: string]: unknown;
}

/** How many log entries fall in one hour. */
export interface LogStat {
  total: number;
  /** The hour, e.g. `"2026-12-06 19:00:00.000Z"`. */
  date: string;
}

/** `env.admin.logs`: PocketBase's logs (superuser). Filters read `level`, `message`, `data.*`, `created`. */
export interface AdminLogs<K extends Kind> {
  /** A page of log entries (`filter`, `sort`, `page`, `perPage`). */
  list(options?: ListOptions): Ret<K, ListResult<LogModel>>;
  /** Log entries one by one, page by page, in constant memory. */
  iterate(options?: IterateOptions): Iter<K, LogModel>;
  /** One log entry; `NotFoundError` when there is none. */
  get(id: string, options?: RequestOptions): Ret<K, LogModel>;
  /** Entries per hour, optionally of those a `filter` matches. */
  stats(options?: CountOptions): Ret<K, LogStat[]>;
}

/** A cron job the server runs. */
export interface CronJob {
  id: string;
  /** A cron expression, e.g. `"0 0 * * *"` (daily at midnight). */
  expression: string;
}

/** `env.admin.crons`: the server's cron jobs (superuser; PocketBase 0.24 or newer). */
export interface AdminCrons<K extends Kind> {
  /** Every registered job. */
  list(options?: RequestOptions): Ret<K, CronJob[]>;
  /** Runs a job now (and waits for it); `NotFoundError` for an id the server does not have. */
  run(id: string, options?: RequestOptions): Ret<K, void>;
}

/** A column of an SQL result. */
export interface SqlColumn {
  name: string;
  /** The declared type (`"INT"`, `"TEXT"`…); empty for an expression. */
  type: string;
  nullable: boolean;
}

/** What `admin.sql()` returns: PocketBase's answer, values as it gives them (text, or null). */
export interface SqlResult {
  columns: SqlColumn[];
  /** One array per row, in column order. */
  rows: (string | null)[][];
  /** Rows a write changed. */
  affectedRows: number;
  /** Milliseconds the server took. */
  execTime: number;
}

/** `env.admin`: the superuser services, under one name so that they hide no collection. */
export interface Admin<K extends Kind> {
  readonly collections: AdminCollections<K>;
  readonly logs: AdminLogs<K>;
  readonly crons: AdminCrons<K>;
  /** Runs one SQL statement on the server's database (PocketBase 0.39 or newer). */
  sql(query: string, options?: RequestOptions): Ret<K, SqlResult>;
}
