// The superuser services under `env.admin`, declared once for both kinds (as types.ts declares the
// record API). Each service is an interface here, a table in surface.ts and an async class.
import type {
  CountOptions,
  Downloaded,
  FileInput,
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
  /**
   * A page of collection models.
   * @example
   * ```ts
   * const { items } = await env.admin.collections.list({ filter: { type: "auth" } });
   * ```
   */
  list(options?: ListOptions): Ret<K, ListResult<CollectionModel>>;
  /**
   * The model of the collection with this name or id, or `undefined` when there is none.
   * @example
   * ```ts
   * const model = await env.admin.collections.get("posts");
   * console.log(model?.fields.map((field) => field.name));
   * ```
   */
  get(nameOrId: string, options?: RequestOptions): Ret<K, CollectionModel | undefined>;
  /**
   * Creates a collection from a model (`{ name, type, fields, … }`); returns the stored model.
   * @example
   * ```ts
   * await env.admin.collections.create({ name: "tags", type: "base", fields: [{ name: "label", type: "text" }] });
   * ```
   */
  create(model: Record<string, unknown>, options?: RequestOptions): Ret<K, CollectionModel>;
  /**
   * Changes a collection (a partial model, e.g. `{ listRule: "" }`); returns the stored model.
   * @example
   * ```ts
   * await env.admin.collections.update("tags", { listRule: "" }); // anyone may list tags
   * ```
   */
  update(nameOrId: string, patch: Record<string, unknown>, options?: RequestOptions): Ret<K, CollectionModel>;
  /**
   * Drops a collection and its records: `true` if it existed, `false` if there was none.
   * @example
   * ```ts
   * const existed = await env.admin.collections.delete("tags");
   * ```
   */
  delete(nameOrId: string, options?: RequestOptions): Ret<K, boolean>;
  /**
   * Creates or replaces collections from models (e.g. another server's `list()`), in one transaction;
   * with `deleteMissing`, drops the collections the models do not name.
   * @example
   * ```ts
   * const models = (await staging.admin.collections.list({ perPage: 500 })).items;
   * await env.admin.collections.import(models, { deleteMissing: false });
   * ```
   */
  import(models: readonly Record<string, unknown>[], options?: ImportOptions): Ret<K, void>;
  /**
   * Deletes every record of a collection, keeping the collection.
   * @example
   * ```ts
   * await env.admin.collections.truncate("posts");
   * ```
   */
  truncate(nameOrId: string, options?: RequestOptions): Ret<K, void>;
  /**
   * A blank model of each collection type, keyed by type.
   * @example
   * ```ts
   * const { auth } = await env.admin.collections.scaffolds();
   * ```
   */
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
  /**
   * A page of log entries (`filter`, `sort`, `page`, `perPage`).
   * @example
   * ```ts
   * const { items } = await env.admin.logs.list({ filter: "data.status >= 400", sort: "-created" });
   * ```
   */
  list(options?: ListOptions): Ret<K, ListResult<LogModel>>;
  /**
   * Log entries one by one, page by page, in constant memory.
   * @example
   * ```ts
   * for await (const entry of env.admin.logs.iterate({ filter: "level >= 8" })) console.log(entry.message);
   * ```
   */
  iterate(options?: IterateOptions): Iter<K, LogModel>;
  /**
   * One log entry; `NotFoundError` when there is none.
   * @example
   * ```ts
   * const entry = await env.admin.logs.get(logId);
   * ```
   */
  get(id: string, options?: RequestOptions): Ret<K, LogModel>;
  /**
   * Entries per hour, optionally of those a `filter` matches.
   * @example
   * ```ts
   * const perHour = await env.admin.logs.stats({ filter: "data.status >= 500" });
   * ```
   */
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
  /**
   * Every registered job.
   * @example
   * ```ts
   * const jobs = await env.admin.crons.list(); // [{ id: "__pbDBOptimize__", expression: "0 0 * * *" }, …]
   * ```
   */
  list(options?: RequestOptions): Ret<K, CronJob[]>;
  /**
   * Runs a job now (and waits for it); `NotFoundError` for an id the server does not have.
   * @example
   * ```ts
   * await env.admin.crons.run("__pbDBOptimize__");
   * ```
   */
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

/** An S3 configuration of the settings (`s3`, `backups.s3`); `secret` is never returned. */
export interface S3Settings {
  enabled: boolean;
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  secret?: string;
  forcePathStyle: boolean;
  [key: string]: unknown;
}

/**
 * PocketBase's settings, as `GET /api/settings` returns them (the sections of 0.23 to 0.40, and any
 * other a release adds). Secrets (the SMTP password, S3 secrets) never come back.
 */
export interface Settings {
  meta: {
    appName: string;
    appURL: string;
    senderName: string;
    senderAddress: string;
    hideControls: boolean;
    [key: string]: unknown;
  };
  smtp: {
    enabled: boolean;
    host: string;
    port: number;
    username: string;
    password?: string;
    authMethod: string;
    tls: boolean;
    localName: string;
    [key: string]: unknown;
  };
  s3: S3Settings;
  backups: { cron: string; cronMaxKeep: number; s3: S3Settings; [key: string]: unknown };
  batch: {
    enabled: boolean;
    maxRequests: number;
    timeout: number;
    maxBodySize: number;
    [key: string]: unknown;
  };
  logs: { maxDays: number; minLevel: number; logIP: boolean; logAuthId: boolean; [key: string]: unknown };
  rateLimits: { enabled: boolean; rules: Record<string, unknown>[]; [key: string]: unknown };
  trustedProxy: { headers: string[]; useLeftmostIP: boolean; [key: string]: unknown };
  [section: string]: unknown;
}

/** Options of `admin.settings.testEmail()`. */
export interface TestEmailOptions extends RequestOptions {
  /** The auth collection whose template is sent (name or id; default `_superusers`). */
  collection?: string;
}

/** What `admin.settings.generateAppleClientSecret()` takes (Apple's "Sign in with Apple" key). */
export interface AppleClientSecretInput {
  /** The Services ID (the OAuth2 client id). */
  clientId: string;
  /** The 10-character Apple team id. */
  teamId: string;
  /** The 10-character id of the private key. */
  keyId: string;
  /** The private key, PEM (`-----BEGIN PRIVATE KEY-----…`). Never sent anywhere but to the server. */
  privateKey: string;
  /** How long the secret is valid, in seconds (1 to 15777000, about six months). */
  duration: number;
}

/** `env.admin.settings`: the server's settings (superuser). */
export interface AdminSettings<K extends Kind> {
  /**
   * Every setting (secrets left out by the server).
   * @example
   * ```ts
   * const { meta } = await env.admin.settings.get();
   * ```
   */
  get(options?: RequestOptions): Ret<K, Settings>;
  /**
   * Changes the given settings (a nested patch, e.g. `{ meta: { appName } }`); returns them all.
   * @example
   * ```ts
   * await env.admin.settings.update({ meta: { appName: "Acme" } });
   * ```
   */
  update(patch: Record<string, unknown>, options?: RequestOptions): Ret<K, Settings>;
  /**
   * Checks the saved S3 configuration of `"storage"` (default) or `"backups"`; throws if it fails.
   * @example
   * ```ts
   * await env.admin.settings.testS3("backups");
   * ```
   */
  testS3(filesystem?: "storage" | "backups", options?: RequestOptions): Ret<K, void>;
  /**
   * Sends a test email of a template to `to`; throws if the server could not send it.
   * @example
   * ```ts
   * await env.admin.settings.testEmail("me@example.com", "password-reset", { collection: "users" });
   * ```
   */
  testEmail(to: string, template: EmailTemplate, options?: TestEmailOptions): Ret<K, void>;
  /**
   * A client secret JWT for Apple's OAuth2 provider, signed with your private key by the server.
   * @example
   * ```ts
   * const secret = await env.admin.settings.generateAppleClientSecret({
   *   clientId: "com.example.web", teamId: "ABCDE12345", keyId: "XYZ9876543", privateKey, duration: 86400,
   * });
   * ```
   */
  generateAppleClientSecret(input: AppleClientSecretInput, options?: RequestOptions): Ret<K, string>;
}

/** The templates `testEmail()` can send. */
export type EmailTemplate = "verification" | "password-reset" | "email-change" | "otp" | "login-alert";

/** One backup file. */
export interface BackupInfo {
  /** Its file name, e.g. `"pb_backup_20260102030405.zip"`: what the other members take. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** When it was last modified, as PocketBase writes dates (`"2026-01-02 03:04:05.000Z"`). */
  modified: string;
}

/** Options of `admin.backups.download()`. */
export interface BackupDownloadOptions extends RequestOptions {
  /** A file path: stream the backup there in constant memory (created or replaced) instead of returning it. */
  to?: string;
}

/** `env.admin.backups`: the server's backups (superuser). */
export interface AdminBackups<K extends Kind> {
  /**
   * Every backup, newest first.
   * @example
   * ```ts
   * const [newest] = await env.admin.backups.list();
   * ```
   */
  list(options?: RequestOptions): Ret<K, BackupInfo[]>;
  /**
   * Makes a backup of the data directory named `name` (lower-case letters, digits, `_` and `-`, ending
   * in `.zip`; default `pb_backup_<UTC date and time>.zip`); returns its key once it is written.
   * @example
   * ```ts
   * const key = await env.admin.backups.create("before_migration.zip");
   * ```
   */
  create(name?: string, options?: RequestOptions): Ret<K, string>;
  /**
   * Uploads a backup zip (a `File`'s name, else `name`, is its key); returns its key.
   * @example
   * ```ts
   * const key = await env.admin.backups.upload(fileFrom("backup.zip"));
   * ```
   */
  upload(file: FileInput, name?: string, options?: RequestOptions): Ret<K, string>;
  /**
   * The backup's bytes, or with `{ to }` streamed to that file: then its `{ path, size }`.
   * @example
   * ```ts
   * await env.admin.backups.download("before_migration.zip", { to: "backup.zip" }); // { path, size }
   * ```
   */
  download<O extends BackupDownloadOptions = BackupDownloadOptions>(
    key: string,
    options?: O,
  ): Ret<K, Downloaded<O>>;
  /**
   * A URL that downloads the backup, valid for a few minutes (it carries a fresh file token).
   * @example
   * ```ts
   * const url = await env.admin.backups.downloadURL("before_migration.zip");
   * ```
   */
  downloadURL(key: string, options?: RequestOptions): Ret<K, string>;
  /**
   * Replaces the server's data with the backup's and waits until the server, which restarts itself,
   * answers again. An embedded server stays supervised: same port, stopped at exit.
   * @example
   * ```ts
   * await env.admin.backups.restore("before_migration.zip"); // returns once the server is back
   * ```
   */
  restore(key: string, options?: RequestOptions): Ret<K, void>;
  /**
   * Deletes the backup.
   * @example
   * ```ts
   * await env.admin.backups.delete("before_migration.zip");
   * ```
   */
  delete(key: string, options?: RequestOptions): Ret<K, void>;
}

/** `env.admin`: the superuser services, under one name so that they hide no collection. */
export interface Admin<K extends Kind> {
  readonly collections: AdminCollections<K>;
  readonly logs: AdminLogs<K>;
  readonly crons: AdminCrons<K>;
  readonly settings: AdminSettings<K>;
  readonly backups: AdminBackups<K>;
  /**
   * Runs one SQL statement on the server's database (PocketBase 0.39 or newer).
   * @example
   * ```ts
   * const { columns, rows } = await env.admin.sql("SELECT name, type FROM _collections");
   * ```
   */
  sql(query: string, options?: RequestOptions): Ret<K, SqlResult>;
}
