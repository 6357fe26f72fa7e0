import { ClosedError } from "../abstract/errors/index.ts";
import type { CallbackMode, CallbackRef } from "../abstract/params.ts";
import type { TargetPath } from "../abstract/surface.ts";
import type { Forwarder } from "./generate.ts";
import type { IteratorChunk } from "./protocol.ts";
import { keepCallback, releaseCallback } from "./push-channel.ts";
import { beforeClose, call, closeEnvironment, subscribe, unsubscribe } from "./worker-host.ts";

/** One sync environment's line to the worker: its calls, its iterators, its subscriptions, its close. */
export class EnvironmentForwarder implements Forwarder {
  readonly #id: number;
  readonly #chunk: number;
  /** Whether the main thread listens to events (the worker relays them only then). */
  readonly #listening: () => boolean;
  #closed = false;

  constructor(id: number, chunk: number, listening: () => boolean) {
    this.#id = id;
    this.#chunk = chunk;
    this.#listening = listening;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError();
  }

  keep(fn: (...args: never[]) => unknown, mode: CallbackMode): CallbackRef {
    this.#assertOpen();
    return keepCallback(this.#id, fn, mode);
  }

  release(ref: CallbackRef): void {
    releaseCallback(ref.ref);
  }

  forward(target: TargetPath, method: string, args: unknown[], callbacks: readonly CallbackRef[]): unknown {
    this.#assertOpen();
    const envId = this.#id;
    return call(envId, { op: "call", envId, target, method, args, events: this.#listening() }, callbacks);
  }

  *iterate(target: TargetPath, method: string, args: unknown[]): IterableIterator<unknown> {
    this.#assertOpen();
    const envId = this.#id;
    const iterator = call(envId, {
      op: "iterate",
      envId,
      target,
      method,
      args,
      events: this.#listening(),
    }) as number;
    let done = false;
    try {
      while (!done) {
        const chunk = call(envId, {
          op: "next",
          envId,
          iterator,
          count: this.#chunk,
          events: this.#listening(),
        }) as IteratorChunk;
        done = chunk.done;
        yield* chunk.items;
      }
    } finally {
      // A loop that breaks early frees the worker's iterator.
      if (!done && !this.#closed) call(envId, { op: "return", envId, iterator });
    }
  }

  subscribe(target: TargetPath, method: string, args: unknown[], subscription: CallbackRef): () => unknown {
    const envId = this.#id;
    try {
      this.#assertOpen();
      const request = { op: "subscribe", envId, target, method, args, events: this.#listening() } as const;
      subscribe(envId, { ...request, subscription: subscription.ref });
    } catch (error) {
      releaseCallback(subscription.ref);
      throw error;
    }
    // May be called more than once; only the first unsubscribes (and has the worker's answer).
    return () => unsubscribe(envId, subscription.ref);
  }

  beforeClose(fn: () => void): () => void {
    return beforeClose(this.#id, fn);
  }

  /**
   * Closes the worker-side pool and stops an embedded server; live replications (this environment's and
   * its identities') are cancelled first (worker-host.ts, closeEnvironment).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeEnvironment(this.#id);
  }
}
