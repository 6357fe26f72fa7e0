import type { Admin } from "../abstract/admin-types.ts";
import { type AsIdentity, asIdentity } from "../abstract/auth-operations.ts";
import { CollectionCache, withCollectionProperties } from "../abstract/collection-properties.ts";
import { EMITTER, EnvironmentEmitter, SINK } from "../abstract/emitter.ts";
import type { Environment } from "../abstract/environment-types.ts";
import { ClosedError, errorFromJSON, type SerializedError } from "../abstract/errors/index.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import { markEnvironment, setOpenInWorker } from "../abstract/replication-params.ts";
import { environmentSurface } from "../abstract/surface.ts";
import type { BaseRecord, EnvironmentEvents, IdentityInput, Schema, SchemaOf } from "../abstract/types.ts";
import { SyncCollection } from "./collection.ts";
import { EnvironmentForwarder } from "./forwarder.ts";
import { generateMethods, setRoute } from "./generate.ts";
import { releaseWhenUnheld } from "./identity-release.ts";
import type { RelayedEvent } from "./protocol.ts";
import { syncAdmin } from "./services.ts";
import { openEnvironment, register } from "./worker-host.ts";

/**
 * The sync environment: the async environment's API, each call blocking until the worker that hosts
 * the async environment answers. Events and realtime messages are pushed to this thread as they
 * happen, and their listeners run when it is free. Its methods are generated from
 * `environmentSurface`; only the `local` ones are written here.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the methods are generated onto the prototype from the method table; the interface declares them.
export class SyncEnvironmentBase<S extends SchemaOf<S> = Schema> extends EnvironmentEmitter {
  readonly #forwarder: EnvironmentForwarder;
  readonly #collections: CollectionCache<SyncCollection>;
  #admin: Admin<"sync"> | undefined;

  readonly #id: number;
  readonly #options: ResolvedOptions;
  #closed = false;
  /** The pool's state, shared with every identity made with `as()`: closed with its owner. */
  readonly #pool: { closed: boolean };
  readonly #owner: boolean;

  constructor(
    options: ResolvedOptions,
    derived?: { parent: number; identity: AsIdentity },
    pool: { closed: boolean } = { closed: false },
  ) {
    super();
    this.#pool = pool;
    this.#owner = derived === undefined;
    const id = register(options, SyncEnvironmentBase.#relayTo(new WeakRef<object>(this) as never), derived);
    this.#id = id;
    this.#options = options;
    const forwarder = new EnvironmentForwarder(id, options.syncChunk, () => this[SINK].listenerCount() > 0);
    this.#forwarder = forwarder;
    this.#collections = new CollectionCache((name) => new SyncCollection(forwarder, name));
    setRoute(this, { forwarder, target: {} });
    // An identity the program drops is released (its closing is the owner's business otherwise).
    if (derived) releaseWhenUnheld(forwarder, id);
    // Embedded mode starts its server now, so that an unclosed environment is still cleaned up at exit.
    if (options.url === undefined && !derived) openEnvironment(id);
  }

  /**
   * Where the worker's relayed events go: the environment, held weakly so that its registration does
   * not keep an identity the program dropped (identity-release.ts). Made here, not in the
   * constructor, whose other closures (holding the forwarder) would share this one's scope.
   */
  static #relayTo(environment: WeakRef<SyncEnvironmentBase<never>>): (events: RelayedEvent[]) => void {
    return (events) => {
      const emitter = environment.deref()?.[EMITTER];
      for (const [name, data] of events)
        void emitter?.emit(name as keyof EnvironmentEvents, revived(name, data) as never);
    };
  }

  /**
   * A sync environment acting as `identity` (a token, or a login's result) on this environment's
   * connection pool; see the async kind's `as()`. Nothing crosses to the worker until its first call.
   */
  as(identity: IdentityInput): SyncEnvironment<S> {
    const checked = asIdentity(identity);
    // As the async kind: an identity on a closed environment's pool is refused at once.
    if (this.#closed || this.#pool.closed) throw new ClosedError();
    const environment = new SyncEnvironmentBase<S>(
      this.#options,
      { parent: this.#id, identity: checked },
      this.#pool,
    );
    return SyncEnvironmentBase.wrap(environment);
  }

  /** The object a user holds: collections as properties, marked with its id (replicate() sides cross by it). */
  static wrap<S extends SchemaOf<S>>(environment: SyncEnvironmentBase<S>): SyncEnvironment<S> {
    const wrapped = withCollectionProperties(environment, (name) => environment.collection(name));
    return markEnvironment(wrapped, { kind: "sync", id: environment.#id }) as SyncEnvironment<S>;
  }

  /** The collection of this name (also reachable as `env.name` and `env["name"]`). */
  collection<N extends keyof S & string>(name: N): SyncCollection<S[N]>;
  collection<T extends object = BaseRecord>(name: string): SyncCollection<T>;
  collection<T extends object>(name: string): SyncCollection<T> {
    return this.#collections.get(name) as SyncCollection<T>;
  }

  /** The superuser services. */
  get admin(): Admin<"sync"> {
    this.#admin ??= syncAdmin(this.#forwarder);
    return this.#admin;
  }

  /** Closes the worker-side pool and stops an embedded server. */
  close(): void {
    this.#closed = true;
    if (this.#owner) this.#pool.closed = true;
    this.#forwarder.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

// A sync environment that is a side of replicate() crosses as its id: its twin must be open there.
setOpenInWorker(openEnvironment);

/** An event as the worker relayed it: an `error` event's error rebuilt as its class. */
function revived(name: string, data: unknown): unknown {
  if (name !== "error") return data;
  const { error, ...rest } = data as { error: SerializedError };
  return { ...rest, error: errorFromJSON(error) };
}

export interface SyncEnvironmentBase<S extends SchemaOf<S> = Schema> extends Environment<"sync", S> {}

generateMethods(SyncEnvironmentBase.prototype, environmentSurface);

export type SyncCollections<S extends SchemaOf<S>> = {
  readonly [N in keyof S & string]: SyncCollection<S[N]>;
} & {
  readonly [name: string]: SyncCollection;
};

/**
 * What `setup()` returns: every call blocks and returns its value. Its members are
 * {@link Environment}'s (of `"sync"`), plus the events (`on`, `once`, `off`, `onAny`, `events`, from
 * emittery); every other property is a `SyncCollection`.
 * @example
 * ```ts
 * import { type SyncEnvironment, setup } from "pocketmap";
 *
 * const env: SyncEnvironment = setup();
 * env.posts.set("post00000000001", { title: "Hello" });
 * ```
 */
export type SyncEnvironment<S extends SchemaOf<S> = Schema> = SyncEnvironmentBase<S> & SyncCollections<S>;

export function createSyncEnvironment<S extends SchemaOf<S>>(options: ResolvedOptions): SyncEnvironment<S> {
  return SyncEnvironmentBase.wrap(new SyncEnvironmentBase<S>(options));
}
