// Replication's public types (docs/replication.md), declared once for both kinds. No I/O.
import type { Kind } from "./types.ts";

/**
 * Options of `env.replicate()`.
 *
 * @example
 * ```ts
 * await env.replicate(source, target, { collections: ["posts"], filter: { posts: "published = true" } });
 * ```
 */
export interface ReplicateOptions {
  /** Collections to copy (their relation targets are added); default every non-system collection. */
  collections?: readonly string[];
  /** A PocketBase filter for every collection, or one per collection name. */
  filter?: string | Readonly<Record<string, string>>;
  /** Keep following the source's changes until `cancel()` (subscribe, then catch up after every connect). */
  live?: boolean;
  /** Called as the replication moves. In the sync kind it runs on the calling thread. */
  onProgress?: (progress: ReplicationProgress) => void;
  /**
   * How far before its checkpoint a run reads again, in milliseconds (default 3000, PocketBase's
   * default batch timeout): a slow transaction can commit a record older than one already read.
   */
  overlap?: number;
}

/**
 * Where a replication is, as `onProgress` and the `progress` event report it.
 *
 * @example
 * ```ts
 * env.replicate(a, b, { onProgress: (p) => console.log(p.collection, p.phase, p.read, p.written) });
 * ```
 */
export interface ReplicationProgress {
  collection: string;
  phase: "schema" | "records" | "relations" | "deletes" | "live";
  /** Records read from the source in this collection so far (this run). */
  read: number;
  /** Records written to the target in this collection so far (this run). */
  written: number;
  /** Records deleted from the target in this collection so far (this run). */
  deleted: number;
  /** Live: milliseconds from the source's `updated` of the change to its write on the target. */
  latency?: number;
}

/**
 * What one collection's replication did.
 *
 * @example
 * ```ts
 * const { collections } = await env.replicate(a, b);
 * for (const c of collections) console.log(c.name, c.read, c.written, c.deleted);
 * ```
 */
export interface CollectionSummary {
  name: string;
  read: number;
  written: number;
  deleted: number;
}

/**
 * What a replication run did, and what it could not copy.
 *
 * @example
 * ```ts
 * const summary = await env.replicate(a, b);
 * if (summary.notCopied.length) console.warn(summary.notCopied.join("\n"));
 * ```
 */
export interface ReplicationSummary {
  collections: CollectionSummary[];
  read: number;
  written: number;
  deleted: number;
  /** What could not be copied, each said once with its count (auth passwords, hidden files). */
  notCopied: string[];
  /** `env.sync()`: records changed on both sides, and which side won. */
  conflicts: ReplicationConflict[];
  /** How long the run took, in milliseconds. */
  ms: number;
}

/**
 * A record changed on both sides of `env.sync()`; `winner` is the side whose version both now hold.
 *
 * @example
 * ```ts
 * for (const c of summary.conflicts) console.log(c.collection, c.id, "kept", c.winner);
 * ```
 */
export interface ReplicationConflict {
  collection: string;
  id: string;
  winner: "a" | "b";
}

/**
 * The events of a replication handle.
 *
 * @example
 * ```ts
 * live.on("error", (error) => console.warn("retrying after", error.message));
 * ```
 */
export interface ReplicationEvents {
  progress: ReplicationProgress;
  /** Live: a change is being copied. */
  active: undefined;
  /** Live: caught up, waiting for changes (or for the source to come back). */
  paused: undefined;
  /** A failure the replication survives (live: it retries with backoff). */
  error: Error;
}

/**
 * A running replication: `done` settles with its summary (a live one when cancelled), `cancel()`
 * stops it, `on()` hears its events and returns the function that stops hearing them.
 *
 * @example
 * ```ts
 * const live = env.replicate(a, b, { live: true });
 * live.on("progress", (p) => console.log(p));
 * await live.cancel();
 * ```
 */
export interface Replication<K extends Kind> {
  /** Settles with the run's summary (a live run's when it is cancelled), or rejects with its failure. */
  readonly done: Promise<ReplicationSummary>;
  /**
   * Stops the replication (a live one unsubscribes); `done` then settles. The process may exit after.
   * @example
   * ```ts
   * const live = env.replicate(a, b, { live: true });
   * process.once("SIGINT", () => void live.cancel());
   * ```
   */
  cancel(): K extends "sync" ? void : Promise<void>;
  /**
   * Hears one of the replication's events; returns the function that stops hearing it.
   * @example
   * ```ts
   * const stop = live.on("paused", () => console.log("caught up"));
   * stop();
   * ```
   */
  on<E extends keyof ReplicationEvents>(event: E, listener: (data: ReplicationEvents[E]) => void): () => void;
}

/**
 * The async kind's handle is also awaitable, as PouchDB's is.
 *
 * @example
 * ```ts
 * const summary = await env.replicate(a, b); // or: const handle = env.replicate(a, b); await handle.done
 * ```
 */
export interface AsyncReplication extends Replication<"async">, PromiseLike<ReplicationSummary> {}

/**
 * What `env.replicate()` returns: in the async kind the handle; in the sync kind a one-shot run's
 * summary (the call blocks), or a live one's handle.
 *
 * @example
 * ```ts
 * import type { ReplicateResult } from "pocketmap";
 *
 * const summary: ReplicateResult<"sync", {}> = syncEnv.replicate(a, b);
 * ```
 */
export type ReplicateResult<K extends Kind, O> = K extends "sync"
  ? O extends { live: true }
    ? Replication<"sync">
    : ReplicationSummary
  : AsyncReplication;
