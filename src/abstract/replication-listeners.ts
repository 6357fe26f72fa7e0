// The listeners of a replication handle, shared by both kinds' handles. A listener that throws is its
// own failure: the replication goes on. No I/O.
import type { ReplicationEvents } from "./replication-types.ts";

type Listener = (data: never) => void;

export class ReplicationListeners {
  readonly #listeners = new Map<keyof ReplicationEvents, Set<Listener>>();

  /** Adds `listener` for `event`; returns the function that removes it. */
  on<E extends keyof ReplicationEvents>(
    event: E,
    listener: (data: ReplicationEvents[E]) => void,
  ): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener);
    return () => void set.delete(listener as Listener);
  }

  /** Tells the listeners of `event`. */
  emit<E extends keyof ReplicationEvents>(event: E, data: ReplicationEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (data: ReplicationEvents[E]) => void)(data);
      } catch {
        // The listener's own failure; the replication goes on.
      }
    }
  }
}
