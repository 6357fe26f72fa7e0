import { InvalidInputError } from "../abstract/errors/index.ts";
import type {
  BaseRecord,
  BatchOptions,
  Collection,
  CountOptions,
  IterateOptions,
  ListOptions,
  ListResult,
  RecordInput,
  RecordOf,
  RecordOptions,
  RequestOptions,
} from "../abstract/types.ts";
import { assertCollectionName } from "../abstract/validate.ts";
import type { SyncEnvironmentBase } from "./environment.ts";
import type { CollectionMethod, IteratorChunk, IteratorMethod } from "./protocol.ts";

/** Signals cannot cross to the worker; refuse one rather than silently ignore it. */
function withoutSignal(args: unknown[]): unknown[] {
  for (const arg of args) {
    if (arg && typeof arg === "object" && "signal" in arg && (arg as RequestOptions).signal !== undefined) {
      throw new InvalidInputError(
        "pocketmap: signal is not supported by the sync kind (calls block; use timeout)",
      );
    }
  }
  return args;
}

/** The sync kind's collection: each call blocks and returns what the async collection's would resolve to. */
export class SyncCollection<T extends object = BaseRecord>
  implements Collection<"sync", T>, Iterable<[string, RecordOf<T>]>
{
  readonly name: string;
  readonly #env: SyncEnvironmentBase;

  constructor(env: SyncEnvironmentBase, name: string) {
    assertCollectionName(name);
    this.name = name;
    this.#env = env;
  }

  #call<T>(method: CollectionMethod, ...args: unknown[]): T {
    return this.#env.forward({ collection: this.name, method, args: withoutSignal(args) }) as T;
  }

  *#iterate<T>(method: IteratorMethod, ...args: unknown[]): IterableIterator<T> {
    const iterator = this.#env.forward({
      iterate: true,
      collection: this.name,
      method,
      args: withoutSignal(args),
    });
    let done = false;
    try {
      while (!done) {
        const chunk = this.#env.next(iterator as number) as IteratorChunk;
        done = chunk.done;
        yield* chunk.items as T[];
      }
    } finally {
      // A loop that breaks early frees the worker's iterator.
      if (!done) this.#env.returnIterator(iterator as number);
    }
  }

  list(options?: ListOptions): ListResult<RecordOf<T>> {
    return this.#call("list", options);
  }
  getOne(id: string, options?: RecordOptions): RecordOf<T> {
    return this.#call("getOne", id, options);
  }
  getFirst(options?: ListOptions): RecordOf<T> {
    return this.#call("getFirst", options);
  }
  getFullList(options?: IterateOptions): RecordOf<T>[] {
    return this.#call("getFullList", options);
  }
  iterate(options?: IterateOptions): IterableIterator<RecordOf<T>> {
    return this.#iterate("iterate", options);
  }
  create(data: RecordInput<T> | string, options?: RecordOptions): RecordOf<T> {
    return this.#call("create", data, options);
  }
  update(id: string, data: RecordInput<T> | string, options?: RecordOptions): RecordOf<T> {
    return this.#call("update", id, data, options);
  }
  remove(id: string, options?: RequestOptions): void {
    this.#call("remove", id, options);
  }
  count(options?: CountOptions): number {
    return this.#call("count", options);
  }
  createMany(docs: readonly (RecordInput<T> | string)[], options?: BatchOptions): RecordOf<T>[] {
    return this.#call("createMany", docs, options);
  }
  updateMany(patches: readonly (RecordInput<T> & { id: string })[], options?: BatchOptions): RecordOf<T>[] {
    return this.#call("updateMany", patches, options);
  }
  upsertMany(docs: readonly RecordInput<T>[], options?: BatchOptions): RecordOf<T>[] {
    return this.#call("upsertMany", docs, options);
  }
  deleteMany(ids: readonly string[], options?: BatchOptions): boolean[] {
    return this.#call("deleteMany", ids, options);
  }

  get(id: string, options?: RecordOptions): RecordOf<T> | undefined {
    return this.#call("get", id, options);
  }
  has(id: string): boolean {
    return this.#call("has", id);
  }
  set(id: string, data: RecordInput<T>): this {
    this.#call("set", id, data);
    return this;
  }
  delete(id: string): boolean {
    return this.#call("delete", id);
  }
  keys(): IterableIterator<string> {
    return this.#iterate("keys");
  }
  values(): IterableIterator<RecordOf<T>> {
    return this.#iterate("values");
  }
  entries(): IterableIterator<[string, RecordOf<T>]> {
    return this.#iterate("entries");
  }
  [Symbol.iterator](): IterableIterator<[string, RecordOf<T>]> {
    return this.entries();
  }
  /** Callbacks cannot cross threads: the records come over lazily and `callback` runs here. */
  forEach(callback: (record: RecordOf<T>, id: string, collection: this) => unknown): void {
    for (const record of this.values()) callback(record, record.id, this);
  }
  size(): number {
    return this.#call("size");
  }
  clear(): void {
    this.#call("clear");
  }
}
