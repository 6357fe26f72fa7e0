// The sync kind's proxies, generated from the method tables in src/abstract/surface.ts. For each
// method of a target: check its arguments by their declared parameters (the same checks the async
// kind's guard runs), turn them into what crosses (functions kept here as callbacks), and forward the
// call to the worker (or pull its iterator there, or subscribe there). A method declared once in an
// interface, listed once in a table and implemented once in the async kind reaches the sync kind
// with no code here. Members the tables mark `local` are written by hand in the classes; they are
// wrapped with the same checks.
import { type CallbackMode, type CallbackRef, checkArguments, crossArguments } from "../abstract/params.ts";
import { callName, type Entry, type TargetPath } from "../abstract/surface.ts";
import { SyncChangeFeed } from "./changes.ts";
import { SyncReplication } from "./replication.ts";

/** Forwards calls of one sync environment to its async twin in the worker. */
export interface Forwarder {
  /** Runs `method` on the target in the worker and returns its result. */
  forward(target: TargetPath, method: string, args: unknown[], callbacks: readonly CallbackRef[]): unknown;
  /** Runs `method` on the target in the worker, which returns an async iterator; pulls it in chunks. */
  iterate(target: TargetPath, method: string, args: unknown[]): IterableIterator<unknown>;
  /**
   * Runs a realtime method (`subscribe` or `changes`) on the target in the worker, heard by the push
   * callback `subscription`; returns the function that ends it (and releases the callback).
   */
  subscribe(target: TargetPath, method: string, args: unknown[], subscription: CallbackRef): () => unknown;
  /**
   * Runs `fn` when the environment closes, before anything of it is released (a live replication is
   * cancelled, as the async kind's `close()` cancels its own); returns the function that forgets it.
   */
  beforeClose(fn: () => void): () => void;
  /** Keeps a function on this thread for the environment; what crosses in its place. */
  keep(fn: (...args: never[]) => unknown, mode: CallbackMode): CallbackRef;
  release(ref: CallbackRef): void;
}

/** Where a generated method sends its calls: the environment's forwarder, and the target's path. */
export interface Route {
  forwarder: Forwarder;
  target: TargetPath;
}

const routes = new WeakMap<object, Route>();

/** Ties a sync proxy (an environment, a collection, a service) to its route. */
export function setRoute(proxy: object, route: Route): void {
  routes.set(proxy, route);
}

function routeOf(self: object, method: string): Route {
  const route = routes.get(self);
  if (!route) throw new TypeError(`pocketmap: ${method}() called on an object that is not pocketmap's`);
  return route;
}

/** The call through the worker: checked, crossed, forwarded, by the entry's crossing. */
function forwarded(self: object, method: string, entry: Entry, args: unknown[]): unknown {
  const { forwarder, target } = routeOf(self, method);
  const checked = checkArguments(entry.params, args, {
    where: callName(target, method),
    collection: target.collection,
  });
  const kept: CallbackRef[] = [];
  const release = () => {
    for (const ref of kept) forwarder.release(ref);
  };
  let crossing: unknown[];
  try {
    crossing = crossArguments(entry.params, checked, (fn, mode) => {
      const ref = forwarder.keep(fn, mode);
      kept.push(ref);
      return ref;
    });
  } catch (error) {
    release();
    throw error;
  }
  switch (entry.crossing) {
    case "iterate":
      return forwarder.iterate(target, method, crossing);
    case "subscribe": {
      // The callback parameter's stand-in hears the subscription, and lives as long as it.
      const subscription = kept.find((ref) => ref.mode === "push");
      if (!subscription) throw new TypeError(`pocketmap: ${method}() declares no callback`);
      return forwarder.subscribe(target, method, crossing, subscription);
    }
    case "changes":
      return new SyncChangeFeed((deliver) =>
        forwarder.subscribe(target, method, crossing, forwarder.keep(deliver, "push")),
      );
    case "replication": {
      // One-shot: a call that blocks for the summary. Live: the worker keeps it, pushing its events.
      const live = (checked[2] as { live?: boolean } | undefined)?.live === true;
      if (!live) break;
      // Its onProgress stand-in lives as long as the replication.
      const replication = new SyncReplication((deliver) => {
        const end = forwarder.subscribe(target, method, crossing, forwarder.keep(deliver, "push"));
        return () => {
          try {
            return end();
          } finally {
            release();
          }
        };
      });
      // Closing the environment cancels it: `done` resolves with its summary, as in the async kind.
      const forget = forwarder.beforeClose(() => replication.cancel());
      void replication.done.finally(forget).catch(() => {});
      return replication;
    }
  }
  try {
    const value = forwarder.forward(target, method, crossing, kept);
    return entry.crossing === "self" ? self : value;
  } finally {
    release();
  }
}

/**
 * Defines on `prototype` one method per entry of `surface` that is not `local`, and wraps each local
 * one (written by hand, and there already) with its parameters' checks. Like ky's shortcuts, built in
 * one loop from one list.
 */
export function generateMethods(prototype: object, surface: Readonly<Record<string, Entry>>): void {
  for (const [method, entry] of Object.entries(surface)) {
    const own = Object.getOwnPropertyDescriptor(prototype, method);
    if (entry.crossing === "local") {
      // A method, or a getter that hands out a function (a collection's `auth`, whose members check).
      if (typeof own?.get === "function") continue;
      if (typeof own?.value !== "function") {
        throw new Error(`pocketmap: ${method}() is local to the sync kind but not implemented`);
      }
      const original = own.value as (...args: unknown[]) => unknown;
      const checkedLocal = {
        [method](this: object, ...args: unknown[]): unknown {
          const target = routes.get(this)?.target ?? {};
          const checked = checkArguments(entry.params, args, {
            where: callName(target, method),
            collection: target.collection,
          });
          return original.apply(this, checked);
        },
      }[method]!;
      Object.defineProperty(prototype, method, { ...own, value: checkedLocal });
      continue;
    }
    // A named function, so that stack traces and inspectors show the method's name.
    const generated = {
      [method](this: object, ...args: unknown[]): unknown {
        return forwarded(this, method, entry, args);
      },
    }[method]!;
    Object.defineProperty(prototype, method, { value: generated, writable: true, configurable: true });
  }
}
