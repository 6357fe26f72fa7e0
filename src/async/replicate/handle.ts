// The handle of a running replication: `done`, `cancel()`, events, and (as PouchDB's) awaitable.

import { ReplicationListeners } from "../../abstract/replication-listeners.ts";
import type {
  AsyncReplication,
  ReplicationEvents,
  ReplicationSummary,
} from "../../abstract/replication-types.ts";

/** A replication's handle; `run` gets the signal that `cancel()` aborts and the handle to emit on. */
export class ReplicationHandle implements AsyncReplication {
  readonly done: Promise<ReplicationSummary>;
  readonly #controller = new AbortController();
  readonly #listeners = new ReplicationListeners();

  constructor(run: (signal: AbortSignal, handle: ReplicationHandle) => Promise<ReplicationSummary>) {
    // Started on the next turn, so that listeners added right after the call hear everything.
    this.done = Promise.resolve().then(() => run(this.#controller.signal, this));
    // A handle nobody awaits must not crash the process with an unhandled rejection: `error` said it.
    this.done.catch(() => {});
  }

  /** Stops the replication; resolves once it has stopped (and closed what it opened). */
  async cancel(): Promise<void> {
    this.#controller.abort();
    await this.done.catch(() => {});
  }

  get cancelled(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Hears an event; returns the function that stops hearing it. */
  on<E extends keyof ReplicationEvents>(
    event: E,
    listener: (data: ReplicationEvents[E]) => void,
  ): () => void {
    return this.#listeners.on(event, listener);
  }

  /** Tells the listeners of `event`; a listener that throws does not stop the replication. */
  emit<E extends keyof ReplicationEvents>(event: E, data: ReplicationEvents[E]): void {
    this.#listeners.emit(event, data);
  }

  // biome-ignore lint/suspicious/noThenProperty: awaitable on purpose, as PouchDB's replication is.
  then<A = ReplicationSummary, B = never>(
    onFulfilled?: ((value: ReplicationSummary) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.done.then(onFulfilled, onRejected);
  }
}
