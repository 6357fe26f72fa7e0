// The sync kind's live replication handle: the replication runs in the worker, its events are pushed
// here and heard when this thread is free; `cancel()` blocks until the worker has stopped it.
import { errorFromJSON, type SerializedError } from "../abstract/errors/index.ts";
import { ReplicationListeners } from "../abstract/replication-listeners.ts";
import type { Replication, ReplicationEvents, ReplicationSummary } from "../abstract/replication-types.ts";

/** What the worker pushes: an event, or how the replication ended. */
export type ReplicationPush =
  | [event: keyof ReplicationEvents, data: unknown]
  | [event: "done", summary: ReplicationSummary]
  | [event: "failed", error: SerializedError];

export class SyncReplication implements Replication<"sync"> {
  readonly done: Promise<ReplicationSummary>;
  readonly #listeners = new ReplicationListeners();
  readonly #unsubscribe: () => void;
  #settle: ((summary: ReplicationSummary) => void) | undefined;
  /** The counts heard so far, for the summary a cancelled run resolves with. */
  readonly #counts = new Map<string, { name: string; read: number; written: number; deleted: number }>();
  readonly #started = Date.now();

  constructor(subscribe: (deliver: (message: unknown) => void) => () => void) {
    let fail: (error: unknown) => void = () => {};
    this.done = new Promise<ReplicationSummary>((resolve, reject) => {
      this.#settle = resolve;
      fail = reject;
    });
    this.done.catch(() => {});
    this.#unsubscribe = subscribe((message) => {
      const [event, data] = message as ReplicationPush;
      if (event === "done" || event === "failed") {
        // It ended by itself (it failed for good): its stand-ins go, so the process may exit.
        queueMicrotask(() => {
          try {
            this.#unsubscribe();
          } catch {
            // The environment was closed meanwhile: nothing is left to release.
          }
        });
        if (event === "done") return this.#settle?.(data as ReplicationSummary);
        return fail(errorFromJSON(data as SerializedError));
      }
      if (event === "progress") this.#count(data as ReplicationEvents["progress"]);
      this.#listeners.emit(
        event,
        (event === "error" ? errorFromJSON(data as SerializedError) : data) as never,
      );
    });
  }

  #count(progress: ReplicationEvents["progress"]): void {
    if (progress.phase === "live") {
      const found = this.#counts.get(progress.collection) ?? {
        name: progress.collection,
        read: 0,
        written: 0,
        deleted: 0,
      };
      found.read += progress.read;
      found.written += progress.written;
      this.#counts.set(progress.collection, found);
    }
  }

  /** Stops the replication in the worker; `done` then resolves with the live counts heard here. */
  cancel(): void {
    this.#unsubscribe();
    const collections = [...this.#counts.values()];
    const sum = (key: "read" | "written" | "deleted") => collections.reduce((n, c) => n + c[key], 0);
    this.#settle?.({
      collections,
      read: sum("read"),
      written: sum("written"),
      deleted: sum("deleted"),
      notCopied: [],
      conflicts: [],
      ms: Date.now() - this.#started,
    });
  }

  /** Hears an event; returns the function that stops hearing it. */
  on<E extends keyof ReplicationEvents>(
    event: E,
    listener: (data: ReplicationEvents[E]) => void,
  ): () => void {
    return this.#listeners.on(event, listener);
  }
}
