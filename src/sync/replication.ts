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
  /** Ends the replication in the worker; answers with its final summary (undefined if it had ended). */
  readonly #unsubscribe: () => unknown;
  #settle: ((summary: ReplicationSummary) => void) | undefined;
  /** The live counts heard here: the summary only when the worker can no longer give its own. */
  readonly #counts = new Map<string, { name: string; read: number; written: number; deleted: number }>();
  readonly #started = Date.now();

  constructor(subscribe: (deliver: (message: unknown) => void) => () => unknown) {
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
      found.deleted += progress.deleted;
      this.#counts.set(progress.collection, found);
    }
  }

  /**
   * Stops the replication in the worker (blocks until it has); `done` then resolves with the worker's
   * final summary: every count, and what could not be copied.
   */
  cancel(): void {
    const final = this.#unsubscribe() as ReplicationSummary | undefined;
    this.#settle?.(final ?? this.#heard());
  }

  /**
   * The summary from the live counts heard here, when the worker has none to give (the run there was
   * gone first: its identity released, its worker ended): what it could not copy is unknown here, and
   * said so.
   */
  #heard(): ReplicationSummary {
    const collections = [...this.#counts.values()];
    const sum = (key: "read" | "written" | "deleted") => collections.reduce((n, c) => n + c[key], 0);
    return {
      collections,
      read: sum("read"),
      written: sum("written"),
      deleted: sum("deleted"),
      notCopied: [
        "unknown: the replication's run in the worker had ended before it was cancelled, so its final summary was lost (these counts are the live changes heard)",
      ],
      conflicts: [],
      ms: Date.now() - this.#started,
    };
  }

  /** Hears an event; returns the function that stops hearing it. */
  on<E extends keyof ReplicationEvents>(
    event: E,
    listener: (data: ReplicationEvents[E]) => void,
  ): () => void {
    return this.#listeners.on(event, listener);
  }
}
