// The async kind's live feed: `for await (const change of collection.changes())`. Changes that arrive
// between two `next()` calls wait in a queue, in the order they arrived; the feed ends (a pending
// `next()` resolves done) on `cancel()`, on `return()` (a loop that breaks), and on `env.close()`.
import type { AsyncChanges, RecordEvent } from "../abstract/types.ts";
import type { TopicListener } from "./realtime.ts";

type Subscribe = (listener: TopicListener) => Promise<() => Promise<void>>;

export class ChangeFeed<R> implements AsyncChanges<R> {
  readonly ready: Promise<void>;
  readonly #queue: RecordEvent<R>[] = [];
  #waiting: ((result: IteratorResult<RecordEvent<R>>) => void) | undefined;
  #failed: ((error: unknown) => void) | undefined;
  #error: unknown;
  #done = false;
  #unsubscribe: Promise<(() => Promise<void>) | undefined>;

  constructor(subscribe: Subscribe) {
    const subscribed = subscribe({
      message: (data) => {
        if (this.#done) return;
        const change = data as RecordEvent<R>;
        if (this.#waiting) this.#settle({ value: change, done: false });
        else this.#queue.push(change);
      },
      end: () => this.#finish(),
      records: true,
    });
    this.ready = subscribed.then(() => undefined);
    this.#unsubscribe = subscribed.then(
      (unsubscribe) => unsubscribe,
      (error) => {
        this.#error = error;
        this.#done = true;
        const failed = this.#failed;
        this.#waiting = this.#failed = undefined;
        failed?.(error);
        return undefined;
      },
    );
    // Awaited or not, a failed subscription is reported by next() (and by `ready` to who awaits it).
    this.ready.catch(() => {});
  }

  #settle(result: IteratorResult<RecordEvent<R>>): void {
    const waiting = this.#waiting;
    this.#waiting = this.#failed = undefined;
    waiting?.(result);
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<RecordEvent<R>>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.#error !== undefined) {
      const error = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failed = reject;
    });
  }

  async cancel(): Promise<void> {
    this.#queue.length = 0;
    this.#finish();
    const unsubscribe = await this.#unsubscribe;
    await unsubscribe?.();
  }

  async return(): Promise<IteratorResult<RecordEvent<R>>> {
    await this.cancel();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
