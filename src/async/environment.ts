import { type BatchBuilder, buildBatch } from "../abstract/batch-requests.ts";
import { EnvironmentEmitter } from "../abstract/emitter.ts";
import { NotFoundError } from "../abstract/errors/index.ts";
import { collections, health, type Method, type RequestSpec } from "../abstract/operations.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import type {
  BaseRecord,
  BatchOptions,
  BatchRequest,
  BatchResult,
  HealthResult,
  QueryValue,
  RequestOptions,
  Schema,
  SchemaOf,
} from "../abstract/types.ts";
import { toJsonBody } from "../abstract/validate.ts";
import { assertBatchOptions, runBatch } from "./batch.ts";
import { Client, type ServerTarget } from "./client.ts";
import { AsyncCollection } from "./collection.ts";

export interface SendOptions extends RequestOptions {
  method?: Method;
  body?: Record<string, unknown>;
  /** Send without the environment's auth token. */
  anonymous?: boolean;
}

// Names that must never resolve to a collection: `await env` looks up `then`, and inspectors probe
// the others.
const NOT_COLLECTIONS = new Set([
  "then",
  "catch",
  "finally",
  "toJSON",
  "constructor",
  "inspect",
  "asymmetricMatch",
]);

/** The async environment: collections by property, index or `collection()`, and the services. */
export class AsyncEnvironmentBase<S extends SchemaOf<S> = Schema> extends EnvironmentEmitter {
  readonly #client: Client;
  readonly #collections = new Map<string, AsyncCollection>();

  constructor(target: () => Promise<ServerTarget>, options: ResolvedOptions) {
    super();
    this.#client = new Client(target, options, this.emitter);
  }

  /** The collection of this name (also reachable as `env.name` and `env["name"]`). */
  collection<N extends keyof S & string>(name: N): AsyncCollection<S[N]>;
  collection<T extends object = BaseRecord>(name: string): AsyncCollection<T>;
  collection<T extends object>(name: string): AsyncCollection<T> {
    let found = this.#collections.get(name);
    if (!found) {
      found = new AsyncCollection(this.#client, name);
      this.#collections.set(name, found);
    }
    return found as AsyncCollection<T>;
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
    this.#collections.delete(name);
    void this.emitter.emit("collection:deleted", { name });
    return true;
  }

  /** Creates a collection from a PocketBase collection model (superuser). */
  async createCollection(model: Record<string, unknown>): Promise<Record<string, unknown>> {
    const created = await this.#client.request<Record<string, unknown>>(collections.create(model));
    void this.emitter.emit("collection:created", { name: String(created.name) });
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
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new TypeError(`pocketmap: send() takes a path starting with "/", got ${JSON.stringify(path)}`);
    }
    const spec: RequestSpec = {
      method: options.method ?? "GET",
      path,
      query: options.query as Record<string, QueryValue> | undefined,
      body: options.body === undefined ? undefined : toJsonBody(options.body, "body"),
      auth: !options.anonymous,
    };
    return this.#client.request(spec, options);
  }

  /** The server URL, once connected (embedded mode starts its server on the first request). */
  async url(): Promise<string> {
    return (await this.#client.connect()).transport.url;
  }

  /** Closes the connection pool and stops an embedded server. */
  close(): Promise<void> {
    return this.#client.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Collections reachable as properties, typed by the schema where it names them. */
export type AsyncCollections<S extends SchemaOf<S>> = {
  readonly [N in keyof S & string]: AsyncCollection<S[N]>;
} & {
  readonly [name: string]: AsyncCollection;
};

export type AsyncEnvironment<S extends SchemaOf<S> = Schema> = AsyncEnvironmentBase<S> & AsyncCollections<S>;

/** Wraps an environment so that unknown property names resolve to collections. */
export function withCollectionProperties<E extends object>(env: E, collection: (name: string) => unknown): E {
  // Methods must run on the target, which owns the private fields, not on the proxy. They are handed
  // out as plain functions, one per method and cached (so `env.close === env.close`): V8 refuses a
  // bound function (or a proxy) as the method of `using` / `await using` ("Symbol.dispose is not a
  // function").
  const methods = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  return new Proxy(env, {
    get(target, property) {
      if (typeof property === "symbol" || property in target || NOT_COLLECTIONS.has(property)) {
        // No receiver: getters must run on the target too.
        const found: unknown = Reflect.get(target, property);
        if (typeof found !== "function") return found;
        const value = found as (...args: unknown[]) => unknown;
        let method = methods.get(value);
        if (!method) {
          method = function (this: unknown, ...args: unknown[]) {
            return value.apply(target, args);
          };
          methods.set(value, method);
        }
        return method;
      }
      return collection(property);
    },
  });
}

export function createAsyncEnvironment<S extends SchemaOf<S>>(
  target: () => Promise<ServerTarget>,
  options: ResolvedOptions,
): AsyncEnvironment<S> {
  const env = new AsyncEnvironmentBase<S>(target, options);
  return withCollectionProperties(env, (name) => env.collection(name)) as AsyncEnvironment<S>;
}
