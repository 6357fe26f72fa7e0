// The sync kind's proxies, generated from the method tables in src/abstract/surface.ts: for each
// method of a target, a function that forwards the call to the worker (or pulls its iterator there, or
// registers its callback with the push channel),
// so that a method declared once in an interface and implemented once in the async kind reaches the
// sync kind with no code here. Members the tables mark `local` are written by hand in the classes.
import { InvalidInputError } from "../abstract/errors/index.ts";
import type { Crossing, TargetPath } from "../abstract/surface.ts";
import type { RequestOptions } from "../abstract/types.ts";
import { SyncChangeFeed } from "./changes.ts";

/** Forwards calls of one sync environment to its async twin in the worker. */
export interface Forwarder {
  /** Runs `method` on the target in the worker and returns its result. */
  forward(target: TargetPath, method: string, args: unknown[]): unknown;
  /** Runs `method` on the target in the worker, which returns an async iterator; pulls it in chunks. */
  iterate(target: TargetPath, method: string, args: unknown[]): IterableIterator<unknown>;
  /**
   * Runs a realtime method (`subscribe` or `changes`) on the target in the worker, which pushes each
   * message to `listener` on this thread (the push channel); returns the function that ends it.
   * `callback` is the index in `args` of the user's callback (kept here, replaced there), or -1.
   */
  subscribe(
    target: TargetPath,
    method: string,
    args: unknown[],
    callback: number,
    listener: (message: unknown) => void,
  ): () => void;
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

/** Signals cannot cross to the worker; refuse one rather than silently ignore it. */
function assertNoSignal(args: unknown[]): void {
  for (const arg of args) {
    if (arg && typeof arg === "object" && "signal" in arg && (arg as RequestOptions).signal !== undefined) {
      throw new InvalidInputError(
        "pocketmap: signal is not supported by the sync kind (calls block; use timeout)",
      );
    }
  }
}

/**
 * A `subscribe` crossing: the callback (the one function among the arguments) stays on this thread and
 * runs with each message the worker pushes; the rest of the arguments cross. Without a function among
 * them, the arguments cross as they are and the async kind refuses them.
 */
function subscribe(route: Route, method: string, args: unknown[]): () => void {
  const callback = args.findIndex((arg) => typeof arg === "function");
  const listener = callback >= 0 ? (args[callback] as (message: unknown) => void) : () => {};
  const crossing = callback >= 0 ? args.map((arg, index) => (index === callback ? null : arg)) : args;
  return route.forwarder.subscribe(route.target, method, crossing, callback, listener);
}

/**
 * Defines on `prototype` one method per entry of `surface` that is not `local` (those must already be
 * there, written by hand). Like ky's shortcuts, built in one loop from one list.
 */
export function generateMethods(prototype: object, surface: Readonly<Record<string, Crossing>>): void {
  for (const [method, crossing] of Object.entries(surface)) {
    if (crossing === "local") {
      // A method, or a getter that hands out a function (a collection's `auth`).
      const own = Object.getOwnPropertyDescriptor(prototype, method);
      if (typeof own?.value !== "function" && typeof own?.get !== "function") {
        throw new Error(`pocketmap: ${method}() is local to the sync kind but not implemented`);
      }
      continue;
    }
    // A named function, so that stack traces and inspectors show the method's name.
    const generated = {
      [method](this: object, ...args: unknown[]): unknown {
        const route = routes.get(this);
        if (!route) throw new TypeError(`pocketmap: ${method}() called on an object that is not pocketmap's`);
        assertNoSignal(args);
        if (crossing === "iterate") return route.forwarder.iterate(route.target, method, args);
        if (crossing === "subscribe") return subscribe(route, method, args);
        if (crossing === "changes") {
          return new SyncChangeFeed((deliver) =>
            route.forwarder.subscribe(route.target, method, args, -1, deliver),
          );
        }
        const value = route.forwarder.forward(route.target, method, args);
        return crossing === "self" ? this : value;
      },
    }[method];
    Object.defineProperty(prototype, method, { value: generated, writable: true, configurable: true });
  }
}
