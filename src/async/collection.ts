import { recordRequests } from "../abstract/batch-requests.ts";
import {
  BadRequestError,
  BatchError,
  type FieldError,
  InvalidInputError,
  NotFoundError,
  type PocketBaseError,
} from "../abstract/errors/index.ts";
import { type RequestSpec, records, recordsPath } from "../abstract/operations.ts";
import { recordTopic, topicString } from "../abstract/realtime.ts";
import { firstOptions } from "../abstract/request-options.ts";
import { collectionSurface } from "../abstract/surface.ts";
import type {
  AsyncChanges,
  Auth,
  BaseRecord,
  BatchOptions,
  BatchRequest,
  BatchResult,
  Collection,
  CountOptions,
  IterateOptions,
  ListOptions,
  ListResult,
  RecordEvent,
  RecordInput,
  RecordOf,
  RecordOptions,
  RequestOptions,
  SubscribeOptions,
} from "../abstract/types.ts";
import { assertCollectionName, assertPlainObject, assertRecordId } from "../abstract/validate.ts";
import { createAuth } from "./auth-flows.ts";
import { assertBatchOptions, type RunOptions, runBatch } from "./batch.ts";
import { ChangeFeed } from "./changes.ts";
import type { Client } from "./client.ts";
import { guardMethods } from "./guard.ts";
import { iterateList, listPages } from "./pages.ts";

/** A PocketBase collection: its record API, and a Map of its records keyed by id. */
export class AsyncCollection<T extends object = BaseRecord>
  implements Collection<"async", T>, AsyncIterable<[string, RecordOf<T>]>
{
  readonly name: string;
  readonly #client: Client;
  #auth: Auth<"async", T> | undefined;

  /** @internal Made by the environment: `env.posts`, `env.collection(name)`. */
  constructor(client: Client, name: string) {
    assertCollectionName(name);
    this.name = name;
    this.#client = client;
  }

  /** Auth collections: `auth(identity, password)` logs in; its members are the other flows. */
  get auth(): Auth<"async", T> {
    this.#auth ??= createAuth<T>(this.#client, this.name);
    return this.#auth;
  }

  /**
   * Sends a request about this collection. PocketBase answers a missing collection with a 404 like a
   * missing record's ("Missing collection context."); that one is rephrased to name the collection,
   * and the Map methods throw it instead of answering undefined or false.
   */
  async #request<T>(spec: RequestSpec, options?: RequestOptions): Promise<T> {
    try {
      return await this.#client.request<T>(spec, options);
    } catch (error) {
      throw await this.#named(error);
    }
  }

  /**
   * A missing collection's 404, naming it; on a temporary embedded server (a new, empty one, started
   * because no server was configured) it says so, since a newcomer expected their own server's data.
   */
  async #named(error: unknown): Promise<unknown> {
    if (!missesCollection(error)) return error;
    const target = await this.#client.connect().then(
      (connection) => connection.target,
      () => undefined,
    );
    const temporary = target?.tempDir !== undefined;
    const hint = temporary
      ? " (pocketmap: this is a new, empty embedded PocketBase, started because no url or POCKETBASE_URL is set: create the collection first with env.createCollection(), or set POCKETBASE_URL, POCKETBASE_EMAIL and POCKETBASE_PASSWORD to use your server)"
      : "";
    const named = new NotFoundError({
      status: 404,
      message: `collection "${this.name}" not found${hint}`,
      data: error.data,
      url: error.url,
      method: error.method,
    });
    missingCollections.add(named);
    return named;
  }

  // Record API

  async list(options?: ListOptions): Promise<ListResult<RecordOf<T>>> {
    return this.#request(records.list(this.name, options), options);
  }

  async getOne(id: string, options?: RecordOptions): Promise<RecordOf<T>> {
    return this.#request(records.getOne(this.name, id, options), options);
  }

  async getFirst(options?: ListOptions): Promise<RecordOf<T>> {
    const page = await this.list(firstOptions(options));
    const first = page.items[0];
    if (first) return first;
    throw new NotFoundError({
      status: 404,
      message: `no record in "${this.name}" matches the filter`,
      url: recordsPath(this.name),
      method: "GET",
    });
  }

  async getFullList(options?: IterateOptions): Promise<RecordOf<T>[]> {
    const all: RecordOf<T>[] = [];
    const pages = listPages(
      (page) => this.list(page),
      recordsPath(this.name),
      options,
      this.#client.options.pageSize,
    );
    for await (const page of pages) for (const record of page) all.push(record);
    return all;
  }

  /**
   * Records one page at a time. With no sort, pages are read by id ("id > last seen"), which stays
   * correct while records are added or removed and costs the same for the last page as the first;
   * `fields` that leave out the id get it added for paging, and removed from what is yielded.
   * With a sort, pages are read by number.
   * @example
   * ```ts
   * for await (const post of env.posts.iterate({ filter: "views > 10" })) console.log(post.title);
   * ```
   */
  iterate(options?: IterateOptions): AsyncIterableIterator<RecordOf<T>> {
    return iterateList(
      (page) => this.list(page),
      recordsPath(this.name),
      options,
      this.#client.options.pageSize,
    );
  }

  async create(data: RecordInput<T> | string, options?: RecordOptions): Promise<RecordOf<T>> {
    const record = await this.#request<RecordOf<T>>(records.create(this.name, data, options), options);
    this.#emit("created", record);
    return record;
  }

  async update(id: string, data: RecordInput<T> | string, options?: RecordOptions): Promise<RecordOf<T>> {
    const record = await this.#request<RecordOf<T>>(records.update(this.name, id, data, options), options);
    this.#emit("updated", record);
    return record;
  }

  async remove(id: string, options?: RequestOptions): Promise<void> {
    await this.#request(records.remove(this.name, id, options), options);
    if (this.#client.events.listenerCount("deleted") > 0) {
      void this.#client.events.emit("deleted", { collection: this.name, id });
    }
  }

  async count(options?: CountOptions): Promise<number> {
    const page = await this.#request<ListResult<RecordOf<T>>>(records.count(this.name, options), options);
    return page.totalItems;
  }

  /** Runs a batch job of this collection's requests, naming the collection when it is missing. */
  async #job(requests: BatchRequest[], options: RunOptions): Promise<BatchResult[]> {
    try {
      return await runBatch(this.#client, requests, options);
    } catch (error) {
      throw await this.#named(error);
    }
  }

  /** The inputs as an array (any iterable is taken), checked before anything is sent. */
  #inputs<I>(inputs: readonly I[], method: string, options: BatchOptions | undefined): readonly I[] {
    if (
      typeof inputs !== "object" ||
      inputs === null ||
      !(Symbol.iterator in inputs) ||
      typeof inputs === "string"
    ) {
      throw new InvalidInputError(`pocketmap: ${method}() takes an array`);
    }
    assertBatchOptions(options, `${method}()`);
    return Array.isArray(inputs) ? inputs : [...inputs];
  }

  async createMany(
    docs: readonly (RecordInput<T> | string)[],
    options?: BatchOptions,
  ): Promise<RecordOf<T>[]> {
    const list = this.#inputs(docs, "createMany", options);
    const requests = list.map((doc, i) => recordRequests.create(this.name, doc, `docs[${i}]`));
    const results = await this.#job(requests, { ...options, records: true, inputs: "docs" });
    const created = results.map((result) => result.body as RecordOf<T>);
    for (const record of created) this.#emit("created", record);
    return created;
  }

  async updateMany(
    patches: readonly (RecordInput<T> & { id: string })[],
    options?: BatchOptions,
  ): Promise<RecordOf<T>[]> {
    const list = this.#inputs(patches, "updateMany", options);
    const requests = list.map((patch, i) => {
      assertPlainObject(patch, `patches[${i}]`);
      const { id, ...rest } = patch as Record<string, unknown>;
      if (id === undefined) throw new InvalidInputError(`pocketmap: patches[${i}] has no id`);
      return recordRequests.update(this.name, id as string, rest, `patches[${i}]`);
    });
    const results = await this.#job(requests, { ...options, records: true, inputs: "patches" });
    const updated = results.map((result) => result.body as RecordOf<T>);
    for (const record of updated) this.#emit("updated", record);
    return updated;
  }

  async upsertMany(docs: readonly RecordInput<T>[], options?: BatchOptions): Promise<RecordOf<T>[]> {
    const list = this.#inputs(docs, "upsertMany", options);
    const requests = list.map((doc, i) => recordRequests.upsert(this.name, doc, `docs[${i}]`));
    const results = await this.#job(requests, { ...options, records: true, inputs: "docs" });
    return results.map((result) => {
      const record = result.body as RecordOf<T>;
      // PocketBase answers an upsert the same way either way; a record whose autodates are equal was
      // just created (a collection without them reports "updated").
      const fresh = record.created !== undefined && record.created === record.updated;
      this.#emit(fresh ? "created" : "updated", record);
      return record;
    });
  }

  async deleteMany(ids: readonly string[], options?: BatchOptions): Promise<boolean[]> {
    const list = this.#inputs(ids, "deleteMany", options);
    const requests = list.map((id) => recordRequests.delete(this.name, id));
    const results = await this.#job(requests, { ...options, missingIsResult: true });
    const deleted = results.map((result) => result.status < 400);
    if (this.#client.events.listenerCount("deleted") > 0) {
      list.forEach((id, i) => {
        if (deleted[i]) void this.#client.events.emit("deleted", { collection: this.name, id });
      });
    }
    return deleted;
  }

  // Map contract

  async get(id: string, options?: RecordOptions): Promise<RecordOf<T> | undefined> {
    return this.getOne(id, options).catch(undefinedWhenMissing);
  }

  async has(id: string): Promise<boolean> {
    const found = await this.#request(records.exists(this.name, id)).catch(undefinedWhenMissing);
    return found !== undefined;
  }

  /**
   * Upsert: updates the record when it exists, else creates it with this id. An id the server
   * refuses fails as create({ id }) does (BadRequestError with data.id).
   * @example
   * ```ts
   * await env.posts.set("post00000000001", { title: "Hello" });
   * ```
   */
  async set(id: string, data: RecordInput<T>): Promise<this> {
    assertRecordId(id);
    assertPlainObject(data, "data");
    const updated = await this.update(id, data).catch(undefinedWhenMissing);
    if (updated) return this;
    try {
      await this.create({ ...data, id });
    } catch (error) {
      // Someone else created it between our update and create: it exists now, so update it.
      if (!(error instanceof BadRequestError && isNotUnique(error.data.id))) throw error;
      await this.update(id, data);
    }
    return this;
  }

  async delete(id: string): Promise<boolean> {
    assertRecordId(id);
    return this.remove(id).then(
      () => true,
      (error) => {
        if (error instanceof NotFoundError && !missingCollections.has(error)) return false;
        throw error;
      },
    );
  }

  async *keys(): AsyncIterableIterator<string> {
    for await (const record of this.iterate({ fields: "id" })) yield record.id;
  }

  values(): AsyncIterableIterator<RecordOf<T>> {
    return this.iterate();
  }

  async *entries(): AsyncIterableIterator<[string, RecordOf<T>]> {
    for await (const record of this.iterate()) yield [record.id, record];
  }

  /**
   * `[id, record]` pairs, paged lazily: `for await (const [id, record] of collection)`.
   * @example
   * ```ts
   * for await (const [id, post] of env.posts) console.log(id, post.title);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<[string, RecordOf<T>]> {
    return this.entries();
  }

  async forEach(callback: (record: RecordOf<T>, id: string, collection: this) => unknown): Promise<void> {
    for await (const record of this.iterate()) await callback(record, record.id, this);
  }

  /** The number of records, as on a `Map`: a getter, a Promise of the count. */
  get size(): Promise<number> {
    return this.count();
  }

  /**
   * Deletes every record, a batch at a time, until none is left.
   * @example
   * ```ts
   * await env.posts.clear();
   * ```
   */
  async clear(): Promise<void> {
    for (;;) {
      const page = await this.list({ fields: "id", perPage: 500, skipTotal: true });
      if (page.items.length === 0) return;
      const deleted = await this.deleteMany(page.items.map((record) => record.id));
      // Records this identity may list but not delete (its deleteRule does not match them) answer
      // 404 to a delete, and would be listed again for ever.
      if (!deleted.includes(true)) {
        throw new NotFoundError({
          status: 404,
          message: `pocketmap: clear() stopped with records left in "${this.name}": this identity can list them but not delete them (the server answered 404 to deleting each of ${page.items.length}; the collection's deleteRule does not match them)`,
          url: recordsPath(this.name),
          method: "DELETE",
        });
      }
    }
  }

  // Realtime

  /**
   * Hears changes of every record (`"*"`) or of one (a record id), as this identity's rules allow;
   * resolves once the server took the subscription, to the function that unsubscribes.
   * @example
   * ```ts
   * const stop = await env.posts.subscribe("*", ({ action, record }) => console.log(action, record.id));
   * await stop();
   * ```
   */
  async subscribe(
    topic: string,
    callback: (event: RecordEvent<RecordOf<T>>) => void,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>> {
    if (typeof callback !== "function") throw new TypeError("pocketmap: subscribe() takes a callback");
    const key = topicString(recordTopic(this.name, topic), options);
    return this.#client.realtime.subscribe(key, {
      message: (data) => callback(data as RecordEvent<RecordOf<T>>),
      records: true,
    });
  }

  /**
   * A live feed of every change (or those matching `filter`): `for await (const { action, record } of ...)`.
   * @example
   * ```ts
   * for await (const { action, record } of env.posts.changes({ filter: { published: true } })) {
   *   if (record.title === "stop") break; // unsubscribes
   * }
   * ```
   */
  changes(options?: SubscribeOptions): AsyncChanges<RecordOf<T>> {
    const key = topicString(recordTopic(this.name, "*"), options);
    return new ChangeFeed((listener) => this.#client.realtime.subscribe(key, listener));
  }

  #emit(event: "created" | "updated", record: RecordOf<T>): void {
    if (this.#client.events.listenerCount(event) > 0) {
      void this.#client.events.emit(event, { collection: this.name, record: record as BaseRecord });
    }
  }
}

guardMethods(AsyncCollection.prototype, collectionSurface, (self, method) => ({
  where: `${method}()`,
  collection: (self as AsyncCollection).name,
}));

// PocketBase's 404 for a collection that does not exist ("Missing collection context." on the record
// routes, "Missing or invalid collection context." on some); a missing record's says something else.
const MISSING_COLLECTION = /collection context/i;
/** NotFoundErrors about a missing collection, which the Map methods throw rather than swallow. */
const missingCollections = new WeakSet<object>();

/** Whether `error` is the "collection "C" not found" this module throws (the CLI rephrases it). */
export function isMissingCollection(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError && missingCollections.has(error);
}

/** Whether PocketBase said the collection is missing, directly or for a request of a batch. */
function missesCollection(error: unknown): error is PocketBaseError {
  if (error instanceof NotFoundError) return MISSING_COLLECTION.test(error.message);
  // A batch job whose first input found no collection (so nothing was written).
  if (error instanceof BatchError) {
    return error.status === 404 && error.written.length === 0 && MISSING_COLLECTION.test(error.message);
  }
  if (!(error instanceof BadRequestError)) return false;
  const requests = error.data.requests;
  if (!requests || typeof requests !== "object") return false;
  return Object.values(requests).some((request) => {
    const response = (request as { response?: { status?: unknown; message?: unknown } } | null)?.response;
    return (
      response?.status === 404 &&
      typeof response.message === "string" &&
      MISSING_COLLECTION.test(response.message)
    );
  });
}

/** A missing record is `undefined` in the Map API; a missing collection is still an error. */
function undefinedWhenMissing(error: unknown): undefined {
  if (error instanceof NotFoundError && !missingCollections.has(error)) return undefined;
  throw error;
}

function isNotUnique(fieldError: unknown): boolean {
  return (fieldError as Partial<FieldError> | undefined)?.code === "validation_not_unique";
}
