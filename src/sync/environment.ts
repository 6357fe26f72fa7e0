import { type BatchBuilder, buildBatch } from "../abstract/batch-requests.ts";
import { EnvironmentEmitter } from "../abstract/emitter.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import type {
  BaseRecord,
  BatchOptions,
  BatchProgress,
  BatchRequest,
  BatchResult,
  EnvironmentEvents,
  HealthResult,
  Schema,
  SchemaOf,
} from "../abstract/types.ts";
import type { SendOptions } from "../async/environment.ts";
import { withCollectionProperties } from "../async/environment.ts";
import { SyncCollection } from "./collection.ts";
import {
  type CollectionMethod,
  type EnvironmentMethod,
  type IteratorMethod,
  PROGRESS_CALLBACK,
} from "./protocol.ts";
import { call, closeEnvironment, openEnvironment, register } from "./worker-host.ts";

type Forward =
  | { collection?: undefined; method: EnvironmentMethod; args: unknown[]; iterate?: false }
  | { collection: string; method: CollectionMethod; args: unknown[]; iterate?: false }
  | { collection: string; method: IteratorMethod; args: unknown[]; iterate: true };

/** Takes an onProgress function out of a call's options (it stays here), leaving the marker. */
function keepProgressCallback(args: unknown[]): {
  args: unknown[];
  onProgress?: (progress: BatchProgress) => void;
} {
  let onProgress: ((progress: BatchProgress) => void) | undefined;
  const kept = args.map((arg) => {
    const given = (arg as { onProgress?: unknown } | null)?.onProgress;
    if (typeof given !== "function") return arg;
    onProgress = given as (progress: BatchProgress) => void;
    return { ...(arg as object), onProgress: PROGRESS_CALLBACK };
  });
  return onProgress ? { args: kept, onProgress } : { args };
}

/**
 * The sync environment: the async environment's API, each call blocking until the worker that hosts
 * the async environment answers. Events arrive on this thread after the call, when it is free.
 */
export class SyncEnvironmentBase<S extends SchemaOf<S> = Schema> extends EnvironmentEmitter {
  readonly #id: number;
  readonly #chunk: number;
  readonly #collections = new Map<string, SyncCollection>();
  #closed = false;

  constructor(options: ResolvedOptions) {
    super();
    this.#chunk = options.syncChunk;
    this.#id = register(options, (events) => {
      for (const [name, data] of events)
        void this.emitter.emit(name as keyof EnvironmentEvents, data as never);
    });
    // Embedded mode starts its server now, so that an unclosed environment is still cleaned up at exit.
    if (options.url === undefined) openEnvironment(this.#id);
  }

  /**
   * @internal Runs one call of this environment in the worker. A batch job's onProgress stays on this
   * thread (see worker-host.ts): its options cross with a marker in its place.
   */
  forward(request: Forward): unknown {
    if (this.#closed) throw new Error("pocketmap: this environment is closed");
    const events = this.emitter.listenerCount() > 0;
    if (request.iterate) {
      const { collection, method, args } = request;
      return call(this.#id, { op: "iterate", envId: this.#id, collection, method, args, events });
    }
    const { args, onProgress } = keepProgressCallback(request.args);
    return call(this.#id, { op: "call", envId: this.#id, ...request, args, events }, onProgress);
  }

  /** @internal The next chunk of a worker-side iterator. */
  next(iterator: number, count = this.#chunk): unknown {
    const events = this.emitter.listenerCount() > 0;
    return call(this.#id, { op: "next", envId: this.#id, iterator, count, events });
  }

  /** @internal Frees a worker-side iterator that was not read to the end. */
  returnIterator(iterator: number): void {
    if (!this.#closed) call(this.#id, { op: "return", envId: this.#id, iterator });
  }

  collection<N extends keyof S & string>(name: N): SyncCollection<S[N]>;
  collection<T extends object = BaseRecord>(name: string): SyncCollection<T>;
  collection<T extends object>(name: string): SyncCollection<T> {
    let found = this.#collections.get(name);
    if (!found) {
      found = new SyncCollection(this, name);
      this.#collections.set(name, found);
    }
    return found as SyncCollection<T>;
  }

  keys(): string[] {
    return this.forward({ method: "keys", args: [] }) as string[];
  }
  has(name: string): boolean {
    return this.forward({ method: "has", args: [name] }) as boolean;
  }
  delete(name: string): boolean {
    const deleted = this.forward({ method: "delete", args: [name] }) as boolean;
    if (deleted) this.#collections.delete(name);
    return deleted;
  }
  createCollection(model: Record<string, unknown>): Record<string, unknown> {
    return this.forward({ method: "createCollection", args: [model] }) as Record<string, unknown>;
  }
  health(): HealthResult {
    return this.forward({ method: "health", args: [] }) as HealthResult;
  }
  /**
   * Raw requests, or a builder run here (`(b) => { b.posts.create(...) }`) whose requests are then
   * sent as env.batch(requests) would.
   */
  batch(
    requests: readonly BatchRequest[] | ((b: BatchBuilder) => void),
    options?: BatchOptions,
  ): BatchResult[] {
    const built = typeof requests === "function" ? buildBatch(requests) : requests;
    return this.forward({ method: "batch", args: [built, options] }) as BatchResult[];
  }
  send<T = unknown>(path: string, options?: Omit<SendOptions, "signal">): T {
    return this.forward({ method: "send", args: [path, options] }) as T;
  }
  url(): string {
    return this.forward({ method: "url", args: [] }) as string;
  }

  /** Closes the worker-side pool and stops an embedded server. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeEnvironment(this.#id);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

export type SyncCollections<S extends SchemaOf<S>> = {
  readonly [N in keyof S & string]: SyncCollection<S[N]>;
} & {
  readonly [name: string]: SyncCollection;
};

export type SyncEnvironment<S extends SchemaOf<S> = Schema> = SyncEnvironmentBase<S> & SyncCollections<S>;

export function createSyncEnvironment<S extends SchemaOf<S>>(options: ResolvedOptions): SyncEnvironment<S> {
  const env = new SyncEnvironmentBase<S>(options);
  return withCollectionProperties(env, (name) => env.collection(name)) as SyncEnvironment<S>;
}
