import { checkForwardedCall } from "../abstract/forward-check.ts";
import type { TargetPath } from "../abstract/surface.ts";
import { crossingArguments } from "./crossing-arguments.ts";
import type { Forwarder } from "./generate.ts";
import type { IteratorChunk } from "./protocol.ts";
import { call, closeEnvironment, subscribe, unsubscribe } from "./worker-host.ts";

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

  forward(target: TargetPath, method: string, args: unknown[]): unknown {
    if (this.#closed) throw new Error("pocketmap: this environment is closed");
    const envId = this.#id;
    // A batch builder runs here; an onProgress callback stays here (crossing-arguments.ts).
    const crossing = crossingArguments(target, method, args);
    args = checkForwardedCall(target, method, crossing.args);
    return call(
      envId,
      { op: "call", envId, target, method, args, events: this.#listening() },
      crossing.onProgress,
    );
  }

  *iterate(target: TargetPath, method: string, args: unknown[]): IterableIterator<unknown> {
    if (this.#closed) throw new Error("pocketmap: this environment is closed");
    const envId = this.#id;
    args = checkForwardedCall(target, method, args);
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

  subscribe(
    target: TargetPath,
    method: string,
    args: unknown[],
    callback: number,
    listener: (message: unknown) => void,
  ): () => void {
    if (this.#closed) throw new Error("pocketmap: this environment is closed");
    const envId = this.#id;
    const request = {
      op: "subscribe",
      envId,
      target,
      method,
      args,
      callback,
      events: this.#listening(),
    } as const;
    const subscription = subscribe(envId, request, listener);
    // May be called more than once; only the first unsubscribes.
    return () => unsubscribe(envId, subscription);
  }

  /** Closes the worker-side pool and stops an embedded server. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeEnvironment(this.#id);
  }
}
