// The environment's members, declared once for both kinds (types.ts holds the record API,
// admin-types.ts the services).
import type { Admin } from "./admin-types.ts";
import type { SetupOptions } from "./options.ts";
import type { ReplicateOptions, ReplicateResult } from "./replication-types.ts";
import type {
  BaseRecord,
  BatchBuilder,
  BatchOptions,
  BatchRequest,
  BatchResult,
  CollectionOf,
  Downloaded,
  DownloadOptions,
  FileRecord,
  FileURLOptions,
  HealthResult,
  IdentityInput,
  Kind,
  Ret,
  Schema,
  SchemaOf,
  SendOptions,
  SubscribeOptions,
  Unsubscribe,
} from "./types.ts";

/**
 * One side of a replication: an environment of the kind whose `replicate()` or `sync()` is called (one
 * of the other kind is refused), or setup options (which must name a `url`; the replication opens
 * them and closes them when it ends).
 *
 * @example
 * ```ts
 * import type { ReplicationSide } from "pocketmap";
 *
 * const side: ReplicationSide = { url: "http://127.0.0.1:8090", email, password };
 * ```
 */
export type ReplicationSide =
  // biome-ignore lint/suspicious/noExplicitAny: an environment of any schema
  Environment<Kind, any> | (Omit<SetupOptions, "async"> & { url: string });

/**
 * The environment's members, declared once for both kinds. Every other property name is a collection;
 * the emitter members (`on`, `once`, `off`, `onAny`, `events`) come from one shared class.
 */
export interface Environment<K extends Kind, S extends SchemaOf<S> = Schema> {
  /**
   * The collection of this name (also reachable as `env.name` and `env["name"]`).
   * @example
   * ```ts
   * const posts = env.collection("posts"); // the same object as env.posts
   * const files = env.collection<{ name: string }>("keys"); // a name that clashes with a member
   * ```
   */
  collection<N extends keyof S & string>(name: N): CollectionOf<K, S[N]>;
  /** The collection of this name, typed by `T` (any name; `BaseRecord` when untyped). */
  collection<T extends object = BaseRecord>(name: string): CollectionOf<K, T>;
  /**
   * The names of every collection this identity may list.
   * @example
   * ```ts
   * console.log(await env.keys()); // ["posts", "users", …]
   * ```
   */
  keys(): Ret<K, string[]>;
  /**
   * Whether a collection of this name exists (and this identity may see it).
   * @example
   * ```ts
   * if (!(await env.has("posts"))) await env.createCollection({ name: "posts", type: "base" });
   * ```
   */
  has(name: string): Ret<K, boolean>;
  /**
   * Drops a collection and all its records (superuser): `true` if it existed.
   * @example
   * ```ts
   * const existed = await env.delete("scratch");
   * ```
   */
  delete(name: string): Ret<K, boolean>;
  /**
   * Creates a collection from a PocketBase collection model (superuser).
   * @example
   * ```ts
   * await env.createCollection({ name: "posts", type: "base", fields: [{ name: "title", type: "text" }] });
   * ```
   */
  createCollection(model: Record<string, unknown>): Ret<K, Record<string, unknown>>;
  /**
   * The server's health, asked as this environment's identity (a superuser's answer says `canBackup`).
   * @example
   * ```ts
   * const { code, data } = await env.health(); // 200, { canBackup: true, … } for a superuser
   * ```
   */
  health(): Ret<K, HealthResult>;
  /**
   * Sends requests through /api/batch, chunked to the server's limit, each chunk one transaction;
   * `{ status, body }` per request, in order. Takes raw `{ method, url, body }` requests, or a builder
   * that describes them: `env.batch((b) => { b.posts.create(data); b.collection("users").delete(id) })`.
   * @example
   * ```ts
   * const results = await env.batch((b) => {
   *   b.posts.create({ title: "Hello" });
   *   b.posts.delete("post00000000001");
   * }); // [{ status: 200, body: record }, { status: 204, body: null }]
   * ```
   */
  batch(
    requests: readonly BatchRequest[] | ((b: BatchBuilder) => void),
    options?: BatchOptions,
  ): Ret<K, BatchResult[]>;
  /**
   * Any PocketBase endpoint, e.g. `env.send("/api/settings", { method: "PATCH", body })`: its parsed
   * JSON, or for an answer that is not JSON (a file) its bytes as a Uint8Array.
   * @example
   * ```ts
   * await env.send("/api/settings", { method: "PATCH", body: { batch: { enabled: true } } });
   * ```
   */
  send<T = unknown>(path: string, options?: SendOptions): Ret<K, T>;
  /**
   * The server URL, once connected (embedded mode starts its server on the first request).
   * @example
   * ```ts
   * console.log(await env.url()); // "http://127.0.0.1:8090"
   * ```
   */
  url(): Ret<K, string>;
  /**
   * A short-lived token for this identity's protected files (PocketBase's `/api/files/token`).
   * @example
   * ```ts
   * const token = await env.fileToken();
   * const url = await env.fileURL(invoice, invoice.pdf, { token });
   * ```
   */
  fileToken(): Ret<K, string>;
  /**
   * The URL of a record's file, built locally (no request; embedded mode starts its server, as `url()`
   * does): `thumb`, `download` and a file `token` go in its query. See docs/files.md.
   * @example
   * ```ts
   * const thumb = await env.fileURL(post, post.cover, { thumb: "100x100" });
   * ```
   */
  fileURL(record: FileRecord, filename: string, options?: FileURLOptions): Ret<K, string>;
  /**
   * A record's file: its bytes, or with `{ to: path }` streamed to that file. A protected file gets a
   * file token by itself. See docs/files.md.
   * @example
   * ```ts
   * const bytes = await env.download(post, post.cover); // Uint8Array
   * const saved = await env.download(post, post.cover, { to: "cover.png" }); // { path, size }
   * ```
   */
  download<O extends DownloadOptions = DownloadOptions>(
    record: FileRecord,
    filename: string,
    options?: O,
  ): Ret<K, Downloaded<O>>;
  /**
   * Hears any realtime topic (a record topic such as `"posts/*"`, or a custom one a hook sends to); the
   * callback gets each message's data. Returns the unsubscribe function (a Promise of it in the async
   * kind, resolved once the server took the subscription).
   * @example
   * ```ts
   * const stop = await env.subscribe("posts/*", (data) => console.log(data));
   * await stop();
   * ```
   */
  subscribe(
    topic: string,
    callback: (data: unknown) => void,
    options?: SubscribeOptions,
  ): Ret<K, Unsubscribe<K>>;
  /**
   * Copies collections from `source` to `target` (environments of this kind, or setup options with
   * a `url`), as PouchDB's replicate does: the schema, then records with their ids and files in
   * relation order, then deletes; checkpoints on the target let the next run read only what changed.
   * `{ live: true }` keeps following the source. The async kind returns the (awaitable) handle; the
   * sync kind blocks and returns the summary, or for a live one returns the handle. See
   * docs/replication.md.
   *
   * @example
   * ```ts
   * const summary = await env.replicate(env, { url: "http://backup:8090", email, password });
   * console.log(summary.written, summary.deleted, summary.notCopied);
   * ```
   */
  replicate<O extends ReplicateOptions = ReplicateOptions>(
    source: ReplicationSide,
    target: ReplicationSide,
    options?: O,
  ): ReplicateResult<K, O>;
  /**
   * Replicates both ways between `a` and `b` (as `replicate()` takes its sides): a write one direction
   * made is never copied back, and a record changed on both sides converges on the version with the
   * later `updated` (each such conflict is in the summary's `conflicts`). See docs/replication.md.
   *
   * @example
   * ```ts
   * const { conflicts } = await env.sync(laptop, server);
   * for (const c of conflicts) console.log(`${c.collection}/${c.id}: kept ${c.winner}'s version`);
   * ```
   */
  sync<O extends ReplicateOptions = ReplicateOptions>(
    a: ReplicationSide,
    b: ReplicationSide,
    options?: O,
  ): ReplicateResult<K, O>;
  /**
   * Closes the connection pool and stops an embedded server (and any live replication it runs).
   * @example
   * ```ts
   * await env.close();
   * ```
   */
  close(): Ret<K, void>;
  /**
   * The superuser services.
   * @example
   * ```ts
   * const { items } = await env.admin.logs.list({ filter: "data.status >= 500" });
   * ```
   */
  readonly admin: Admin<K>;
  /**
   * An environment of the same kind acting as `identity` (a token, or a login's result), on this one's
   * connection pool; this one is unchanged. See docs/auth.md.
   * @example
   * ```ts
   * const user = await env.users.auth("ada@example.com", "secret-password");
   * const asAda = env.as(user); // env itself still acts as before
   * ```
   */
  as(identity: IdentityInput): Environment<K, S>;
}
