import { collectionSurface } from "../abstract/surface.ts";
import type { Auth, BaseRecord, Collection, RecordOf } from "../abstract/types.ts";
import { assertCollectionName } from "../abstract/validate.ts";
import { syncAuth } from "./auth.ts";
import { type Forwarder, generateMethods, setRoute } from "./generate.ts";

/**
 * The sync kind's collection: each call blocks and returns what the async collection's would resolve
 * to. Its methods are generated from `collectionSurface`; only the `local` ones are written here.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the methods are generated onto the prototype from the method table; the interface declares them.
export class SyncCollection<T extends object = BaseRecord> {
  readonly name: string;

  readonly #forwarder: Forwarder;
  #auth: Auth<"sync", T> | undefined;

  /** @internal Made by the environment: `env.posts`, `env.collection(name)`. */
  constructor(forwarder: Forwarder, name: string) {
    assertCollectionName(name);
    this.name = name;
    this.#forwarder = forwarder;
    setRoute(this, { forwarder, target: { collection: name } });
  }

  /** Auth collections: `auth(identity, password)` logs in; its members are the other flows. */
  get auth(): Auth<"sync", T> {
    this.#auth ??= syncAuth<T>(this.#forwarder, this.name);
    return this.#auth;
  }

  /** The number of records, as on a `Map` (a getter; `count(options)` is the method form). */
  get size(): number {
    return this.count();
  }

  /**
   * `[id, record]` pairs, paged lazily: `for (const [id, record] of collection)`.
   * @example
   * ```ts
   * for (const [id, post] of env.posts) console.log(id, post.title);
   * ```
   */
  [Symbol.iterator](): IterableIterator<[string, RecordOf<T>]> {
    return this.entries();
  }

  /**
   * Calls `callback(record, id, collection)` for each record, in turn. (Callbacks cannot cross threads:
   * the records come over lazily and `callback` runs here.)
   * @example
   * ```ts
   * env.posts.forEach((post, id) => console.log(id, post.title));
   * ```
   */
  forEach(callback: (record: RecordOf<T>, id: string, collection: this) => unknown): void {
    for (const record of this.values()) callback(record, record.id, this);
  }
}

export interface SyncCollection<T extends object = BaseRecord>
  extends Collection<"sync", T>,
    Iterable<[string, RecordOf<T>]> {}

generateMethods(SyncCollection.prototype, collectionSurface);
