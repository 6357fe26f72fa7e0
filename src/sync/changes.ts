// The sync kind's live feed: `collection.changes().on("change", fn)`. The subscription is made when
// the feed is created (the call blocks until the server took it); listeners run on the main thread
// when it is free, delivered by the push channel. `cancel()` (or `env.close()`) ends it.
import { InvalidInputError } from "../abstract/errors/index.ts";
import type { RecordEvent, SyncChanges } from "../abstract/types.ts";

export class SyncChangeFeed<R> implements SyncChanges<R> {
  readonly #listeners = new Set<(change: RecordEvent<R>) => void>();
  readonly #unsubscribe: () => void;

  /** `subscribe` makes the subscription with the feed's dispatcher and returns its unsubscribe function. */
  constructor(subscribe: (deliver: (message: unknown) => void) => () => void) {
    this.#unsubscribe = subscribe((message) => {
      for (const listener of [...this.#listeners]) listener(message as RecordEvent<R>);
    });
  }

  on(event: "change", listener: (change: RecordEvent<R>) => void): this {
    if (event !== "change")
      throw new InvalidInputError(`pocketmap: a change feed emits "change", not ${String(event)}`);
    if (typeof listener !== "function")
      throw new InvalidInputError("pocketmap: on() takes a listener function");
    this.#listeners.add(listener);
    return this;
  }

  off(event: "change", listener: (change: RecordEvent<R>) => void): this {
    if (event === "change") this.#listeners.delete(listener);
    return this;
  }

  cancel(): void {
    this.#listeners.clear();
    this.#unsubscribe();
  }
}
