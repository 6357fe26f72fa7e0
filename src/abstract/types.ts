// The one interface both kinds implement. Each method is declared once, generic over the kind, so the
// sync and async collections cannot drift apart.
import type { PocketBaseError } from "./errors/pocketbase-error.ts";
import type { FileFrom } from "./file-from.ts";
import type { FilterInput, FilterValue } from "./filter.ts";

/** The two kinds of environment: `"sync"` (every call blocks and returns) and `"async"` (Promises). */
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

/** A query parameter's value; `null` and `undefined` leave the parameter out. */
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

/** The `filter` (and its `params`) that list, count, iteration and subscriptions take. */
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

/**
 * A file to upload: a Blob or File, bytes (Buffer, Uint8Array), or a file on disk, `fileFrom(path)`,
 * streamed as it is sent.
 */
export type FileInput = Blob | Uint8Array | FileFrom;

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

/** A raw request of `env.batch(requests)`: a method, a URL under /api/collections, and a body. */
export interface BatchRequest {
  /** POST creates, PUT upserts (both on `/api/collections/{collection}/records`), PATCH updates and DELETE deletes (on `…/records/{id}`). */
  method: "POST" | "PATCH" | "PUT" | "DELETE";
  url: string;
  /** Field values; files (Blob, File, Buffer) among them make the chunk multipart. */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** What the batch builder offers for one collection. */
export interface BatchCollectionBuilder {
  /**
   * Adds a create request to the batch.
   * @example
   * ```ts
   * await env.batch((b) => b.posts.create({ title: "Hello" }));
   * ```
   */
  create(data: Record<string, unknown> | string): void;
  /**
   * Adds a partial update of record `id` to the batch.
   * @example
   * ```ts
   * await env.batch((b) => b.posts.update("post00000000001", { title: "Hello again" }));
   * ```
   */
  update(id: string, data: Record<string, unknown> | string): void;
  /**
   * Adds an upsert to the batch: updates the record with `data.id` when it exists, else creates it.
   * @example
   * ```ts
   * await env.batch((b) => b.posts.upsert({ id: "post00000000001", title: "kept or created" }));
   * ```
   */
  upsert(data: Record<string, unknown> | string): void;
  /**
   * Adds a delete of record `id` to the batch.
   * @example
   * ```ts
   * await env.batch((b) => b.posts.delete("post00000000001"));
   * ```
   */
  delete(id: string): void;
}

/** `b` in `env.batch((b) => ...)`: collections by property (`b.posts`) or call (`b.collection("posts")`). */
export type BatchBuilder = {
  /**
   * The builder of a collection by name (for names that are not identifiers, or clash).
   * @example
   * ```ts
   * await env.batch((b) => b.collection("users").update(userId, { name: "Ada" }));
   * ```
   */
  collection(name: string): BatchCollectionBuilder;
} & { readonly [name: string]: BatchCollectionBuilder };

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

/** `env.health()`'s answer. */
export interface HealthResult {
  code: number;
  message: string;
  /** A superuser's answer also has `canBackup`, `realIP` and `possibleProxyHeader`. */
  data: { canBackup?: boolean; realIP?: string; possibleProxyHeader?: string; [key: string]: unknown };
}

/** What a record topic delivers. */
export type RecordAction = "create" | "update" | "delete";

/** One realtime message of a record topic: what happened, and the record as the subscriber may see it. */
export interface RecordEvent<R> {
  action: RecordAction;
  record: R;
}

/** Options of a subscription: they travel with its topic and shape (and filter) what it hears. */
export interface SubscribeOptions extends FilterOptions {
  /** Relations to expand in each delivered record. */
  expand?: string | readonly string[];
  /** Fields of each delivered record. */
  fields?: string | readonly string[];
  /** Extra query parameters PocketBase applies to the topic. */
  query?: Record<string, QueryValue>;
  /** Extra headers PocketBase applies to the topic (e.g. for hooks). */
  headers?: Record<string, string>;
}

/** What unsubscribes: the function itself in the sync kind; in the async kind it returns a Promise. */
export type Unsubscribe<K extends Kind> = () => Ret<K, void>;

/** The async kind's live feed: an async iterable of changes that ends on `cancel()` or `env.close()`. */
export interface AsyncChanges<R> extends AsyncIterableIterator<RecordEvent<R>> {
  /** Resolves once the server has taken the subscription: changes from then on are delivered. */
  readonly ready: Promise<void>;
  /**
   * Ends the feed (a pending `next()` resolves done) and unsubscribes.
   * @example
   * ```ts
   * const feed = env.posts.changes();
   * setTimeout(() => feed.cancel(), 10_000);
   * for await (const { action, record } of feed) console.log(action, record.id);
   * ```
   */
  cancel(): Promise<void>;
}

/** The sync kind's live feed: listeners run on the main thread when it is free. */
export interface SyncChanges<R> {
  /**
   * Adds a listener for each change; it runs on the main thread once that thread is free.
   * @example
   * ```ts
   * const feed = env.posts.changes();
   * feed.on("change", ({ action, record }) => console.log(action, record.id));
   * ```
   */
  on(event: "change", listener: (change: RecordEvent<R>) => void): this;
  /**
   * Removes a listener added with `on`.
   * @example
   * ```ts
   * feed.off("change", listener);
   * ```
   */
  off(event: "change", listener: (change: RecordEvent<R>) => void): this;
  /**
   * Unsubscribes; no listener runs afterwards.
   * @example
   * ```ts
   * const feed = env.posts.changes();
   * feed.cancel();
   * ```
   */
  cancel(): void;
}

/** What `collection.changes()` returns: `SyncChanges` in the sync kind, `AsyncChanges` in the async kind. */
export type Changes<K extends Kind, R> = K extends "sync" ? SyncChanges<R> : AsyncChanges<R>;

/**
 * The record API and the Map contract, declared once for both kinds. `T` is the record type (any object
 * type; pocketmap adds the system fields): reads return `RecordOf<T>`, writes take `RecordInput<T>`.
 */
export interface Collection<K extends Kind, T extends object = BaseRecord> {
  /** The collection's name, as PocketBase knows it. */
  readonly name: string;

  /**
   * One page of records: `{ page, perPage, totalItems, totalPages, items }`.
   * @example
   * ```ts
   * const { items, totalItems } = await env.posts.list({ filter: { published: true }, sort: "-created", perPage: 20 });
   * ```
   */
  list(options?: ListOptions): Ret<K, ListResult<RecordOf<T>>>;
  /**
   * The record with this id; a `NotFoundError` when there is none.
   * @example
   * ```ts
   * const post = await env.posts.getOne("post00000000001", { expand: "author" });
   * ```
   */
  getOne(id: string, options?: RecordOptions): Ret<K, RecordOf<T>>;
  /**
   * The first record that matches; a `NotFoundError` when none does.
   * @example
   * ```ts
   * const ada = await env.users.getFirst({ filter: { email: "ada@example.com" } });
   * ```
   */
  getFirst(options?: ListOptions): Ret<K, RecordOf<T>>;
  /**
   * Every matching record, as an array (read a page of up to 1000 at a time).
   * @example
   * ```ts
   * const drafts = await env.posts.getFullList({ filter: { status: "draft" }, sort: "title" });
   * ```
   */
  getFullList(options?: IterateOptions): Ret<K, RecordOf<T>[]>;
  /**
   * The matching records one by one, a page at a time, in constant memory.
   * @example
   * ```ts
   * for await (const post of env.posts.iterate({ filter: "views > 10" })) console.log(post.title);
   * ```
   */
  iterate(options?: IterateOptions): Iter<K, RecordOf<T>>;
  /**
   * Creates a record and returns it; files in `data` make it a multipart request.
   * @example
   * ```ts
   * const post = await env.posts.create({ title: "Hello", cover: new File([bytes], "cover.png") });
   * ```
   */
  create(data: RecordInput<T> | string, options?: RecordOptions): Ret<K, RecordOf<T>>;
  /**
   * Updates some fields of a record and returns it; `field+` / `field-` add to and remove from a field.
   * @example
   * ```ts
   * await env.posts.update(post.id, { title: "Hello again", "views+": 1 });
   * ```
   */
  update(id: string, data: RecordInput<T> | string, options?: RecordOptions): Ret<K, RecordOf<T>>;
  /**
   * Deletes a record; a `NotFoundError` when there is none (`delete(id)` answers `false` instead).
   * @example
   * ```ts
   * await env.posts.remove(post.id);
   * ```
   */
  remove(id: string, options?: RequestOptions): Ret<K, void>;
  /**
   * The number of matching records.
   * @example
   * ```ts
   * const published = await env.posts.count({ filter: { published: true } });
   * ```
   */
  count(options?: CountOptions): Ret<K, number>;
  /**
   * Creates records through /api/batch, chunked; the new records, in input order.
   * @example
   * ```ts
   * const created = await env.posts.createMany([{ title: "one" }, { title: "two" }], {
   *   onProgress: ({ done, total }) => console.log(done, total),
   * });
   * ```
   */
  createMany(docs: readonly (RecordInput<T> | string)[], options?: BatchOptions): Ret<K, RecordOf<T>[]>;
  /**
   * Partial updates, each with its record's `id`; the updated records, in input order.
   * @example
   * ```ts
   * await env.posts.updateMany(created.map((post) => ({ id: post.id, published: true })));
   * ```
   */
  updateMany(
    patches: readonly (RecordInput<T> & { id: string })[],
    options?: BatchOptions,
  ): Ret<K, RecordOf<T>[]>;
  /**
   * Updates each record whose `id` exists, creates the others; the records, in input order.
   * @example
   * ```ts
   * await env.posts.upsertMany([{ id: "post00000000001", title: "kept or created" }, { title: "new" }]);
   * ```
   */
  upsertMany(docs: readonly RecordInput<T>[], options?: BatchOptions): Ret<K, RecordOf<T>[]>;
  /**
   * Deletes by id: per id, `true` if it existed and is now gone, `false` if it did not exist (as `delete`).
   * @example
   * ```ts
   * const gone = await env.posts.deleteMany(["post00000000001", "nosuchpost00001"]); // [true, false]
   * ```
   */
  deleteMany(ids: readonly string[], options?: BatchOptions): Ret<K, boolean[]>;

  /**
   * The record with this id, or `undefined` when there is none (as `Map.get`).
   * @example
   * ```ts
   * const post = await env.posts.get("post00000000001"); // RecordOf<T> | undefined
   * ```
   */
  get(id: string, options?: RecordOptions): Ret<K, RecordOf<T> | undefined>;
  /**
   * Whether a record with this id exists, asking only for its id.
   * @example
   * ```ts
   * if (!(await env.posts.has("post00000000001"))) console.log("not there");
   * ```
   */
  has(id: string): Ret<K, boolean>;
  /**
   * Upsert, as `Map.set`: updates the record if it exists, else creates it with this id; returns the
   * collection.
   * @example
   * ```ts
   * await env.posts.set("post00000000001", { title: "Hello" });
   * ```
   */
  set(id: string, data: RecordInput<T>): Ret<K, this>;
  /**
   * Deletes a record, as `Map.delete`: `true` if it existed and is now gone, `false` if it did not exist.
   * @example
   * ```ts
   * const existed = await env.posts.delete("post00000000001");
   * ```
   */
  delete(id: string): Ret<K, boolean>;
  /**
   * The record ids, paged lazily (an async iterator in the async kind).
   * @example
   * ```ts
   * for await (const id of env.posts.keys()) console.log(id);
   * ```
   */
  keys(): Iter<K, string>;
  /**
   * The records, paged lazily (an async iterator in the async kind).
   * @example
   * ```ts
   * for await (const post of env.posts.values()) console.log(post.title);
   * ```
   */
  values(): Iter<K, RecordOf<T>>;
  /**
   * `[id, record]` pairs, paged lazily; iterating the collection itself does the same.
   * @example
   * ```ts
   * for await (const [id, post] of env.posts.entries()) console.log(id, post.title);
   * ```
   */
  entries(): Iter<K, [string, RecordOf<T>]>;
  /**
   * Calls `callback(record, id, collection)` for each record, in turn (awaited in the async kind).
   * @example
   * ```ts
   * await env.posts.forEach((post, id) => console.log(id, post.title));
   * ```
   */
  forEach(callback: (record: RecordOf<T>, id: string, collection: this) => unknown): Ret<K, void>;
  /** The number of records, as on a `Map` (a getter; a Promise of it in the async kind). `count(options)` filters. */
  readonly size: Ret<K, number>;
  /**
   * Deletes every record of the collection, a batch at a time.
   * @example
   * ```ts
   * await env.posts.clear();
   * ```
   */
  clear(): Ret<K, void>;

  /**
   * Hears changes as they happen: `topic` is `"*"` or a record id; the callback gets `{ action, record }`.
   * Returns the unsubscribe function (a Promise of it in the async kind, resolved once the server took
   * the subscription).
   * @example
   * ```ts
   * const stop = await env.posts.subscribe("*", ({ action, record }) => console.log(action, record.id));
   * await stop();
   * ```
   */
  subscribe(
    topic: string,
    callback: (event: RecordEvent<RecordOf<T>>) => void,
    options?: SubscribeOptions,
  ): Ret<K, Unsubscribe<K>>;
  /**
   * A live feed of `{ action, record }` (all records, or those matching `filter`): an async iterable in
   * the async kind, an object with `on("change", fn)` and `cancel()` in the sync kind.
   * @example
   * ```ts
   * for await (const { action, record } of env.posts.changes({ filter: { published: true } })) {
   *   if (record.title === "stop") break; // unsubscribes
   * }
   * ```
   */
  changes(options?: SubscribeOptions): Changes<K, RecordOf<T>>;
  /** Auth collections: a password login, and the namespace of every other auth flow. */
  readonly auth: Auth<K, T>;
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
  /** The realtime connection broke: changes may be missed until `reconnect`. */
  disconnect: { reason: string };
  /** The realtime connection is back and every subscription resubmitted; re-read what may have changed. */
  reconnect: { attempts: number; ms: number };
  /**
   * The realtime stream carried something PocketBase never sends (a malformed `PB_CONNECT`, an event
   * larger than POCKETMAP_REALTIME_MAX_EVENT, a record event that is not `{ action, record }` JSON): it
   * was dropped, never delivered. `topic` is the event's topic without its options, when it had one.
   */
  error: { error: PocketBaseError; topic?: string };
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

// Auth: `collection.auth`, declared once for both kinds (the member list is in auth.ts).

/** What a login returns. It changes nothing else: the environment keeps its own identity. */
export interface AuthResult<R extends object = BaseRecord> {
  token: string;
  record: R;
  /** OAuth2 logins: what the provider said about the user (id, name, email, avatarURL, rawUser, …). */
  meta?: Record<string, unknown>;
}

/** Options of a login call: the record's `expand` / `fields`, and the `mfaId` of a pending MFA login. */
export interface AuthOptions extends RecordOptions {
  /** Completes a multi-factor login: the `mfaId` of the `MFARequiredError` the first factor threw. */
  mfaId?: string;
}

/** Options of `auth.withOAuth2Code()`: those of any login, and the fields of a new user. */
export interface OAuth2Options extends AuthOptions {
  /** Fields of the record to create when this OAuth2 user is new. */
  createData?: Record<string, unknown>;
}

/** One OAuth2 provider as `auth.methods()` lists it. */
export interface AuthProviderInfo {
  name: string;
  displayName: string;
  state: string;
  authURL: string;
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

/** What `auth.methods()` returns: the login methods the collection allows. */
export interface AuthMethods {
  password: { enabled: boolean; identityFields: string[] };
  oauth2: { enabled: boolean; providers: AuthProviderInfo[] };
  mfa: { enabled: boolean; duration: number };
  otp: { enabled: boolean; duration: number };
}

/**
 * Every auth flow of a collection. The call itself logs in with a password; the members are the other
 * flows. Logins return `{ token, record, meta? }` and change nothing else: act as the result with
 * `env.as(result)`. A first factor that needs a second one throws `MFARequiredError` (with `mfaId`).
 */
export interface Auth<K extends Kind, T extends object = BaseRecord> {
  (identity: string, password: string, options?: AuthOptions): Ret<K, AuthResult<RecordOf<T>>>;
  /**
   * Logs in with an identity field (an email, or another the collection allows) and a password; the same
   * as calling `auth(identity, password)` itself.
   * @example
   * ```ts
   * const user = await env.users.auth.withPassword("ada@example.com", "secret-password");
   * const asUser = env.as(user);
   * ```
   */
  withPassword(identity: string, password: string, options?: AuthOptions): Ret<K, AuthResult<RecordOf<T>>>;
  /**
   * Emails a one-time password; returns the `otpId` to pass to `withOTP` (also for unknown emails).
   * @example
   * ```ts
   * const { otpId } = await env.users.auth.requestOTP("ada@example.com");
   * ```
   */
  requestOTP(email: string): Ret<K, { otpId: string }>;
  /**
   * Logs in with the `otpId` from `requestOTP` and the code from the email.
   * @example
   * ```ts
   * const { otpId } = await env.users.auth.requestOTP("ada@example.com");
   * const user = await env.users.auth.withOTP(otpId, "123456");
   * ```
   */
  withOTP(otpId: string, code: string, options?: AuthOptions): Ret<K, AuthResult<RecordOf<T>>>;
  /**
   * Exchanges an OAuth2 authorization code (from the provider's redirect) for a login.
   * @example
   * ```ts
   * const { oauth2 } = await env.users.auth.methods();
   * const google = oauth2.providers.find((p) => p.name === "google")!;
   * // ...send the user to google.authURL + redirectURL; the redirect brings back `code`
   * const user = await env.users.auth.withOAuth2Code("google", code, google.codeVerifier, redirectURL);
   * ```
   */
  withOAuth2Code(
    provider: string,
    code: string,
    codeVerifier: string,
    redirectURL: string,
    options?: OAuth2Options,
  ): Ret<K, AuthResult<RecordOf<T>>>;
  /**
   * The login methods the collection allows (password, OAuth2 providers, OTP, MFA).
   * @example
   * ```ts
   * const { password, oauth2 } = await env.users.auth.methods();
   * console.log(password.enabled, oauth2.providers.map((p) => p.name));
   * ```
   */
  methods(): Ret<K, AuthMethods>;
  /**
   * A fresh token for `token` (which must still be valid), with its record.
   * @example
   * ```ts
   * const renewed = await env.users.auth.refresh(user.token);
   * ```
   */
  refresh(token: string, options?: RecordOptions): Ret<K, AuthResult<RecordOf<T>>>;
  /**
   * Superuser only: a non-refreshable token acting as record `id`, for `duration` seconds if given.
   * @example
   * ```ts
   * const support = env.as(await env.users.auth.impersonate(userId, 3600));
   * ```
   */
  impersonate(id: string, duration?: number, options?: RecordOptions): Ret<K, AuthResult<RecordOf<T>>>;
  /**
   * Emails a verification link to the record with this email.
   * @example
   * ```ts
   * await env.users.auth.requestVerification("ada@example.com");
   * ```
   */
  requestVerification(email: string): Ret<K, void>;
  /**
   * Marks the record verified, with the token from the verification email.
   * @example
   * ```ts
   * await env.users.auth.confirmVerification(tokenFromTheEmail);
   * ```
   */
  confirmVerification(token: string): Ret<K, void>;
  /**
   * Emails a password reset link to the record with this email.
   * @example
   * ```ts
   * await env.users.auth.requestPasswordReset("ada@example.com");
   * ```
   */
  requestPasswordReset(email: string): Ret<K, void>;
  /**
   * Sets a new password with the token from the reset email; `passwordConfirm` defaults to `password`.
   * @example
   * ```ts
   * await env.users.auth.confirmPasswordReset(tokenFromTheEmail, "new-password-1");
   * ```
   */
  confirmPasswordReset(token: string, password: string, passwordConfirm?: string): Ret<K, void>;
  /**
   * As the record itself (`env.as(user)`): emails a confirmation link to `newEmail`.
   * @example
   * ```ts
   * await env.as(user).users.auth.requestEmailChange("ada@new.example.com");
   * ```
   */
  requestEmailChange(newEmail: string): Ret<K, void>;
  /**
   * Confirms the change with the token from that email and the record's current password.
   * @example
   * ```ts
   * await env.users.auth.confirmEmailChange(tokenFromTheEmail, "current-password");
   * ```
   */
  confirmEmailChange(token: string, password: string): Ret<K, void>;
}

/** What `env.as()` takes: a token, or a login's result. */
export type IdentityInput =
  | string
  | { token: string; record?: { collectionName?: string; collectionId?: string } };

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

// The environment and its services, declared once for both kinds like the collection above. Each has a
// method table in surface.ts, checked against it, from which the sync kind is generated.

/** A request as `beforeSend` hooks see it, about to be sent (once per attempt, retries included). */
export interface HookRequest {
  method: string;
  /** The absolute URL, query included. */
  url: string;
  /** Every header that will be sent, names in lower case, the identity's token included. */
  headers: Record<string, string>;
  /**
   * JSON text, a `FormData` for a multipart body (files), or undefined. A `fileFrom(path)` file is a
   * File backed by that file (read only as it is sent).
   */
  body: string | FormData | undefined;
}

/** An answer as `afterSend` hooks see it: every answer, errors included, before it is read. */
export interface HookResponse {
  request: HookRequest;
  status: number;
  /** The answer's headers, names in lower case. */
  headers: Record<string, string>;
  /**
   * The parsed JSON body; undefined when it was empty or not JSON. A download's 2xx answer (bytes) is
   * not read before the hooks: its `data` is undefined, and what a hook returns for it is ignored.
   */
  data: unknown;
}

/**
 * Runs before each attempt of every request: change `request` in place, or return another one (with
 * the same origin). A throw fails the call with that error. In the sync kind it must return at once.
 */
export type BeforeSend = (
  request: HookRequest,
) => HookRequest | undefined | void | Promise<HookRequest | undefined | void>;

/**
 * Runs after every answer, before pocketmap reads it: return other data to use instead (`undefined`
 * keeps it), or throw to fail the call. In the sync kind it must return at once.
 */
export type AfterSend = (response: HookResponse) => unknown;

/** A record whose files are asked for: its `id`, and its collection's `collectionId` or `collectionName`. */
export interface FileRecord {
  id: string;
  collectionId?: string;
  collectionName?: string;
}

/** Options of `env.fileURL()`. */
export interface FileURLOptions {
  /** An image thumb size, e.g. `"100x100"`, `"100x0"`, `"100x100t"` (the field must list it). */
  thumb?: string;
  /** Ask the browser to save the file rather than show it (`?download=1`). */
  download?: boolean;
  /** A file token (`env.fileToken()`) for a protected file. */
  token?: string;
}

/** Options of `env.download()`. */
export interface DownloadOptions extends RequestOptions {
  /** An image thumb size, as `fileURL()` takes it. */
  thumb?: string;
  /** A file path: stream the file there (in constant memory) instead of returning its bytes. */
  to?: string;
}

/** What `env.download(record, name, { to })` returns: where the file went (absolute), its size in bytes. */
export interface SavedFile {
  path: string;
  size: number;
}

/** What `env.download()` returns for its options: the bytes, or with `to` the saved file. */
export type Downloaded<O> = O extends { to: string } ? SavedFile : Uint8Array;

/** Options of `env.send()`. */
export interface SendOptions extends RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: Record<string, unknown>;
  /** Send without the environment's auth token. */
  anonymous?: boolean;
}
