import { collections } from "../abstract/admin-operations.ts";
import type { Admin } from "../abstract/admin-types.ts";
import { type AsIdentity, asIdentity } from "../abstract/auth-operations.ts";
import { buildBatch } from "../abstract/batch-requests.ts";
import { CollectionCache, withCollectionProperties } from "../abstract/collection-properties.ts";
import { EMITTER, EnvironmentEmitter, SINK } from "../abstract/emitter.ts";
import type { Environment, ReplicationSide } from "../abstract/environment-types.ts";
import { NotFoundError } from "../abstract/errors/index.ts";
import { fileURL } from "../abstract/files.ts";
import { health, sendSpec } from "../abstract/operations.ts";
import { type ResolvedOptions, resolveOptions } from "../abstract/options.ts";
import { topicString } from "../abstract/realtime.ts";
import { markEnvironment } from "../abstract/replication-params.ts";
import type { AsyncReplication, ReplicateOptions } from "../abstract/replication-types.ts";
import { environmentSurface } from "../abstract/surface.ts";
import type { ServerTarget } from "../abstract/target.ts";
import type {
  BaseRecord,
  BatchBuilder,
  BatchOptions,
  BatchRequest,
  BatchResult,
  Downloaded,
  DownloadOptions,
  FileRecord,
  FileURLOptions,
  HealthResult,
  IdentityInput,
  Schema,
  SchemaOf,
  SendOptions,
  SubscribeOptions,
} from "../abstract/types.ts";
import { assertBatchOptions, runBatch } from "./batch.ts";
import { Client } from "./client.ts";
import { AsyncCollection } from "./collection.ts";
import { download } from "./files.ts";
import { guardMethods } from "./guard.ts";
import type { ReplicationHandle } from "./replicate/handle.ts";
import { replicate, syncBoth } from "./replicate/replicate.ts";
import { createAdmin } from "./services.ts";

/** The async environment: collections by property, index or `collection()`, and the services. */
export class AsyncEnvironmentBase<S extends SchemaOf<S> = Schema>
  extends EnvironmentEmitter
  implements Environment<"async", S>
{
  readonly #client: Client;
  readonly #collections: CollectionCache<AsyncCollection>;
  readonly #admin: Admin<"async">;
  /** Live replications this environment started: closing it cancels them. */
  readonly #replications = new Set<ReplicationHandle>();
  /**
   * Live replications of the environment this one derives from with `as()` (itself, when it derives
   * from none), its identities' included: closing that environment cancels them all.
   */
  readonly #rootReplications: Set<ReplicationHandle>;

  constructor(
    target:
      | (() => Promise<ServerTarget>)
      | { parent: Client; identity: IdentityInput | AsIdentity; replications: Set<ReplicationHandle> },
    options: ResolvedOptions,
  ) {
    super();
    this.#rootReplications = typeof target === "function" ? this.#replications : target.replications;
    const client =
      typeof target === "function"
        ? new Client(target, options, this[SINK])
        : target.parent.as(
            typeof target.identity === "object" && "at" in target.identity
              ? (target.identity as AsIdentity)
              : asIdentity(target.identity),
            this[SINK],
          );
    this.#client = client;
    this.#collections = new CollectionCache((name) => new AsyncCollection(client, name));
    this.#admin = createAdmin(client);
  }

  /** The superuser services. */
  get admin(): Admin<"async"> {
    return this.#admin;
  }

  /**
   * An environment of the same kind acting as `identity` (a token, or a login's result): it shares
   * this environment's connection pool, opens nothing, and leaves this environment as it was. Its token
   * is refreshed before it expires; one that cannot be refreshed fails with UnauthorizedError, never
   * as a guest or as another identity. Closing it releases only it; closing this one closes the pool.
   */
  as(identity: IdentityInput): AsyncEnvironment<S>;
  /** @internal An identity checked already (the sync worker's). */
  as(identity: AsIdentity): AsyncEnvironment<S>;
  as(identity: IdentityInput | AsIdentity): AsyncEnvironment<S> {
    const environment = new AsyncEnvironmentBase<S>(
      { parent: this.#client, identity, replications: this.#rootReplications },
      this.#client.options,
    );
    return markEnvironment(
      withCollectionProperties(environment, (name) => environment.collection(name)),
      {
        kind: "async",
      },
    ) as AsyncEnvironment<S>;
  }

  /** The collection of this name (also reachable as `env.name` and `env["name"]`). */
  collection<N extends keyof S & string>(name: N): AsyncCollection<S[N]>;
  collection<T extends object = BaseRecord>(name: string): AsyncCollection<T>;
  collection<T extends object>(name: string): AsyncCollection<T> {
    return this.#collections.get(name) as AsyncCollection<T>;
  }

  /** The names of every collection this identity may list. */
  async keys(): Promise<string[]> {
    const names: string[] = [];
    for (let page = 1; ; page++) {
      const result = await this.#client.request<{ items: { name: string }[]; totalPages: number }>(
        collections.list({ page, perPage: 500, fields: "name", sort: "name" }),
      );
      names.push(...result.items.map((item) => item.name));
      if (page >= result.totalPages) return names;
    }
  }

  /** Whether a collection of this name exists (and this identity may see it). */
  async has(name: string): Promise<boolean> {
    return this.#client.request(collections.getOne(name, { fields: "id" })).then(
      () => true,
      (error) => {
        if (error instanceof NotFoundError) return false;
        throw error;
      },
    );
  }

  /** Drops a collection and all its records (superuser): `true` if it existed. */
  async delete(name: string): Promise<boolean> {
    try {
      await this.#client.request(collections.remove(name));
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
    this.#collections.forget(name);
    void this[EMITTER].emit("collection:deleted", { name });
    return true;
  }

  /** Creates a collection from a PocketBase collection model (superuser). */
  async createCollection(model: Record<string, unknown>): Promise<Record<string, unknown>> {
    const created = await this.#client.request<Record<string, unknown>>(collections.create(model));
    void this[EMITTER].emit("collection:created", { name: String(created.name) });
    return created;
  }

  async health(): Promise<HealthResult> {
    return this.#client.request(health());
  }

  /**
   * Sends requests through /api/batch, chunked to the server's limit, each chunk one transaction;
   * `{ status, body }` per request, in order. Takes raw `{ method, url, body }` requests, or a builder:
   * `env.batch((b) => { b.posts.create(data); b.collection("users").update(id, patch) })`.
   */
  async batch(
    requests: readonly BatchRequest[] | ((b: BatchBuilder) => void),
    options?: BatchOptions,
  ): Promise<BatchResult[]> {
    assertBatchOptions(options, "batch()");
    const built = typeof requests === "function" ? buildBatch(requests) : requests;
    return runBatch(this.#client, built, { ...options });
  }

  /** Any PocketBase endpoint, e.g. `env.send("/api/settings", { method: "PATCH", body })`. */
  async send<T = unknown>(path: string, options: SendOptions = {}): Promise<T> {
    return this.#client.request(sendSpec(path, options), options);
  }

  /**
   * Hears any realtime topic (a record topic such as `"posts/*"`, or a custom one a hook sends to);
   * the callback gets each message's data. Resolves, once the server took it, to the unsubscribe function.
   */
  async subscribe(
    topic: string,
    callback: (data: unknown) => void,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>> {
    if (typeof callback !== "function") throw new TypeError("pocketmap: subscribe() takes a callback");
    return this.#client.realtime.subscribe(topicString(topic, options), { message: callback });
  }

  /** A short-lived token for this identity's protected files (`fileURL(…, { token })`). */
  async fileToken(): Promise<string> {
    return this.#client.fileToken();
  }

  /** A record's file URL, built here (no request): `thumb`, `download`, a file `token`. */
  async fileURL(record: FileRecord, filename: string, options?: FileURLOptions): Promise<string> {
    return fileURL(await this.url(), record, filename, options);
  }

  /** A record's file: its bytes, or with `{ to: path }` streamed there; protected files get a token. */
  async download<O extends DownloadOptions = DownloadOptions>(
    record: FileRecord,
    filename: string,
    options?: O,
  ): Promise<Downloaded<O>> {
    return (await download(this.#client, record, filename, options)) as Downloaded<O>;
  }

  /** The server URL, once connected (embedded mode starts its server on the first request). */
  async url(): Promise<string> {
    return (await this.#client.connect()).transport.url;
  }

  /**
   * Copies collections from `source` to `target` (async environments, or setup options with a `url`):
   * schema, records with their ids and files in relation order, deletes; checkpoints on the target.
   * Returns the handle, which is awaitable; `{ live: true }` follows the source until `cancel()`.
   * See docs/replication.md.
   */
  replicate<O extends ReplicateOptions = ReplicateOptions>(
    source: ReplicationSide,
    target: ReplicationSide,
    options?: O,
  ): AsyncReplication {
    return this.#track(replicate(source, target, { ...options }, (opts) => openOptions(opts)));
  }

  /**
   * Replicates both ways between `a` and `b`: no echo, and a record changed on both sides converges on
   * the version with the later `updated` (reported in `conflicts`). See docs/replication.md.
   */
  sync<O extends ReplicateOptions = ReplicateOptions>(
    a: ReplicationSide,
    b: ReplicationSide,
    options?: O,
  ): AsyncReplication {
    return this.#track(syncBoth(a, b, { ...options }, (opts) => openOptions(opts)));
  }

  #track(handle: ReplicationHandle): ReplicationHandle {
    this.#replications.add(handle);
    this.#rootReplications.add(handle);
    void handle.done
      .finally(() => {
        this.#replications.delete(handle);
        this.#rootReplications.delete(handle);
      })
      .catch(() => {});
    return handle;
  }

  /**
   * Closes the connection pool and stops an embedded server, and first cancels its replications (an
   * environment that derives from none: its identities' too, as closing it closes them).
   */
  async close(): Promise<void> {
    const root = this.#rootReplications === this.#replications;
    await Promise.all(
      [...(root ? this.#rootReplications : this.#replications)].map((handle) => handle.cancel()),
    );
    return this.#client.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

guardMethods(AsyncEnvironmentBase.prototype, environmentSurface, (_, method) => ({ where: `${method}()` }));

/** Collections reachable as properties, typed by the schema where it names them. */
export type AsyncCollections<S extends SchemaOf<S>> = {
  readonly [N in keyof S & string]: AsyncCollection<S[N]>;
} & {
  readonly [name: string]: AsyncCollection;
};

/**
 * What `setup({ async: true })` returns: every call returns a Promise. Its members are
 * {@link Environment}'s (of `"async"`), plus the events (`on`, `once`, `off`, `onAny`, `events`,
 * from emittery); every other property is an `AsyncCollection`.
 * @example
 * ```ts
 * import { type AsyncEnvironment, setup } from "pocketmap";
 *
 * const env: AsyncEnvironment = setup({ async: true });
 * await env.posts.set("post00000000001", { title: "Hello" });
 * ```
 */
export type AsyncEnvironment<S extends SchemaOf<S> = Schema> = AsyncEnvironmentBase<S> & AsyncCollections<S>;

export function createAsyncEnvironment<S extends SchemaOf<S>>(
  target: () => Promise<ServerTarget>,
  options: ResolvedOptions,
): AsyncEnvironment<S> {
  const environment = new AsyncEnvironmentBase<S>(target, options);
  return markEnvironment(
    withCollectionProperties(environment, (name) => environment.collection(name)),
    {
      kind: "async",
    },
  ) as AsyncEnvironment<S>;
}

/** A replication side given as options: an async environment on that URL, exactly as the options say. */
function openOptions(options: Record<string, unknown>): AsyncEnvironment {
  const resolved = resolveOptions({ ...options, async: true }, {});
  const url = resolved.url!;
  return createAsyncEnvironment(async () => ({ url }), resolved);
}
